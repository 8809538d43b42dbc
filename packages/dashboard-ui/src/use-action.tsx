import { Code, ConnectError } from '@connectrpc/connect';
import { useState } from 'preact/hooks';

/** How the last action of a screen ended: what it did, or why it failed (the server's message). */
export type Outcome = { ok: boolean; text: string } | undefined;

/**
 * Runs one of a screen's actions (a stack's, a secret's) and says how it ended; a call refused for the session calls
 * `onUnauthenticated`. The list itself changes through its stream.
 */
export function useAction(onUnauthenticated: () => void) {
  const [outcome, setOutcome] = useState<Outcome>();
  const act = async (what: () => Promise<string>): Promise<boolean> => {
    try {
      setOutcome({ ok: true, text: await what() });
      return true;
    } catch (err) {
      const c = ConnectError.from(err);
      if (c.code === Code.Unauthenticated) onUnauthenticated();
      else setOutcome({ ok: false, text: c.rawMessage });
      return false;
    }
  };
  return { outcome, act };
}

/** How the last action ended, under a screen's forms: a status, or an alert with the server's message. */
export function OutcomeNote({ outcome }: { outcome: Outcome }) {
  if (!outcome) return null;
  return (
    <p class={outcome.ok ? 'meta' : 'error'} role={outcome.ok ? 'status' : 'alert'}>
      {outcome.text}
    </p>
  );
}
