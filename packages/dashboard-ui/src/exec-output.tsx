import { Code, ConnectError } from '@connectrpc/connect';
import { WorkOutput_Stream } from '@sloth/proto';
import { useEffect, useRef, useState } from 'preact/hooks';
import { dashboard } from './client.js';

/** One agent's part of a command: its output so far and how it ended. */
export interface ExecPart {
  lines: { text: string; stderr: boolean }[];
  /** running, or how it ended (exit 0, exit 2: why, not run: why). */
  status: string;
  ok: boolean | undefined;
}

/**
 * Runs commands on agents through ExecOnAgents (as `agent exec`, audited by the server): each agent's output as it
 * streams, then how it ended. A new command, or leaving the page, cancels the one still running.
 */
export function useExec(onUnauthenticated: () => void) {
  const [parts, setParts] = useState<Record<string, ExecPart>>({});
  const [error, setError] = useState<string | undefined>();
  const running = useRef<AbortController | undefined>(undefined);
  useEffect(() => () => running.current?.abort(), []);

  const run = async (agents: string[], command: string) => {
    running.current?.abort();
    const abort = new AbortController();
    running.current = abort;
    setError(undefined);
    const state: Record<string, ExecPart> = Object.fromEntries(
      agents.map((a) => [a, { lines: [], status: 'running', ok: undefined }]),
    );
    setParts({ ...state });
    try {
      for await (const r of dashboard.execOnAgents({ agents, command }, { signal: abort.signal })) {
        const part = state[r.agent];
        if (!part) continue;
        const m = r.msg;
        if (m.case === 'output')
          part.lines = [...part.lines, { text: m.value.text, stderr: m.value.stream === WorkOutput_Stream.STDERR }];
        else if (m.case === 'result') {
          part.ok = m.value.success;
          part.status = [m.value.exitCode === undefined ? '' : `exit ${m.value.exitCode}`, m.value.error]
            .filter(Boolean)
            .join(': ');
        } else if (m.case === 'failed') {
          part.ok = false;
          part.status = `not run: ${m.value.message}`;
        }
        setParts({ ...state });
      }
    } catch (err) {
      if (abort.signal.aborted) return;
      const c = ConnectError.from(err);
      if (c.code === Code.Unauthenticated) return onUnauthenticated();
      setError(c.rawMessage);
    }
  };
  return { parts, error, run };
}

/** What useExec shows: why the call failed, if it did, then each agent's output and status. */
export function ExecOutput({ parts, error }: { parts: Record<string, ExecPart>; error: string | undefined }) {
  return (
    <>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {Object.entries(parts).map(([agent, p]) => (
        <div class="task" key={agent} data-output={agent}>
          <h3>
            {agent}{' '}
            <span class={`status ${p.ok === undefined ? 'running' : p.ok ? 'success' : 'failed'}`} data-status>
              {p.status}
            </span>
          </h3>
          <pre class="log">
            {p.lines.map((l, i) => (
              <span key={i} class={l.stderr ? 'stderr' : ''}>
                {l.text}
              </span>
            ))}
          </pre>
        </div>
      ))}
    </>
  );
}
