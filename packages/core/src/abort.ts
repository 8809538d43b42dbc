import { timedOutAfter } from './duration.js';
import { SlothError } from './errors.js';

/** Why a task's signal fired: its own timeout, or the whole run being stopped. */
export type AbortCause = { kind: 'timeout'; timeoutMs: number } | { kind: 'run'; reason: string };

/** The cause a task's signal fires with when its body has returned (what it left running is told to stop). */
export const TASK_FINISHED = { kind: 'run', reason: 'task finished' } as const satisfies AbortCause;

/** True when a signal fired only because its task ended normally, not for a timeout or cancellation. */
export function endedNormally(reason: unknown): boolean {
  const cause = reason as AbortCause | undefined;
  return cause?.kind === 'run' && cause.reason === TASK_FINISHED.reason;
}

/** Resolves with the promise, or rejects as soon as `signal` fires, whichever comes first. */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** Sleeps `ms`, waking early (with a rejection) if `signal` fires. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return raceAbort(
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      signal.addEventListener('abort', () => clearTimeout(t), { once: true });
    }),
    signal,
  );
}

/** The error to throw when an abort signal fires with a cause we set. */
export function abortError(cause: AbortCause): SlothError {
  return cause.kind === 'timeout'
    ? new SlothError('timeout', timedOutAfter(cause.timeoutMs))
    : new SlothError('aborted', cause.reason);
}
