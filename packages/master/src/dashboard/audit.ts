import { createContextKey } from '@connectrpc/connect';
import { auditRepo, type Store } from '@sloth/store-sqlite';

/** Who makes a dashboard call (see sessionActor), set for each call by the server after its session is checked. */
export const dashboardActor = createContextKey<string>('', { description: 'the dashboard session making the call' });

/**
 * Runs a write action of the dashboard and records it in the audit log, done or failed (with why), then returns its
 * result or throws its error. `done` says what it did, for the log.
 */
export function audited<T>(
  store: Store,
  entry: { actor: string; action: string; target: string },
  act: () => T,
  done: (result: T) => string | null = () => null,
): T {
  let result: T;
  try {
    result = act();
  } catch (err) {
    auditRepo(store).add({
      ...entry,
      at: Date.now(),
      result: 'failed',
      detail: err instanceof Error ? err.message : String(err),
    });
    throw err;
  }
  auditRepo(store).add({ ...entry, at: Date.now(), result: 'ok', detail: done(result) });
  return result;
}
