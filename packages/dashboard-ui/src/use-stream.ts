import { Code, ConnectError } from '@connectrpc/connect';
import { useEffect, useState } from 'preact/hooks';

/** What a watched stream shows: its latest state, and why it stopped when it did. */
export interface StreamState<T> {
  value: T | undefined;
  error: string | undefined;
}

/** Waits before opening a stream again after it broke: doubled each time, at most this long. */
const MAX_RETRY_MS = 10_000;

/**
 * Follows a server stream: `open` starts it, `fold` makes each message part of the state. The server pushes every
 * change, the page never polls; a stream the server ends is complete, one that breaks (the server restarts) is opened
 * again after a growing pause, and one refused for the session calls `onUnauthenticated`.
 */
export function useStream<M, T>(
  open: (signal: AbortSignal) => AsyncIterable<M>,
  fold: (state: T | undefined, message: M) => T,
  deps: unknown[],
  onUnauthenticated: () => void,
): StreamState<T> {
  const [state, setState] = useState<StreamState<T>>({ value: undefined, error: undefined });
  useEffect(() => {
    const abort = new AbortController();
    let retryMs = 500;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      let value: T | undefined;
      try {
        for await (const message of open(abort.signal)) {
          // A message of a stream already left (its filters changed) must not replace the new stream's state.
          if (abort.signal.aborted) return;
          value = fold(value, message);
          retryMs = 500;
          setState({ value, error: undefined });
        }
        // The server ended it: all there is was sent (a finished run).
        return;
      } catch (err) {
        if (abort.signal.aborted) return;
        const e = ConnectError.from(err);
        if (e.code === Code.Unauthenticated) return onUnauthenticated();
        setState((s) => ({ value: s.value, error: e.rawMessage }));
      }
      if (abort.signal.aborted) return;
      timer = setTimeout(run, retryMs);
      retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
    };
    void run();
    return () => {
      abort.abort();
      clearTimeout(timer);
    };
  }, deps);
  return state;
}

/** The fold of a stream whose every message is the whole state (a list sent again on each change). */
export function latest<M>(_: M | undefined, message: M): M {
  return message;
}
