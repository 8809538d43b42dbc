import { Code, ConnectError, type Interceptor } from '@connectrpc/connect';
import type { Counter, Histogram } from '@sloth/metrics';

/** A Connect code as its wire name: DeadlineExceeded -> deadline_exceeded. */
function codeName(code: Code): string {
  return Code[code].replace(/[A-Z]/g, (c, i: number) => (i === 0 ? c.toLowerCase() : `_${c.toLowerCase()}`));
}

/**
 * Counts every call by service, method and code, and observes how long it took (for a stream: until it ended, so an
 * agent's Connect stream is observed when the agent goes away).
 */
export function rpcMetrics(calls: Counter<'service' | 'method' | 'code'>, seconds: Histogram<'service' | 'method'>): Interceptor {
  return (next) => async (req) => {
    const started = performance.now();
    const labels = { service: req.service.typeName, method: req.method.name };
    const done = (err: unknown) => {
      calls.inc({ ...labels, code: err === undefined ? 'ok' : codeName(ConnectError.from(err).code) });
      seconds.observe(labels, (performance.now() - started) / 1000);
    };
    let res: Awaited<ReturnType<typeof next>>;
    try {
      res = await next(req);
    } catch (err) {
      done(err);
      throw err;
    }
    if (!res.stream) {
      done(undefined);
      return res;
    }
    const messages = res.message;
    return {
      ...res,
      message: (async function* () {
        let error: unknown;
        try {
          yield* messages;
        } catch (err) {
          error = err;
          throw err;
        } finally {
          // Also when the stream is abandoned (the caller went away): it ended.
          done(error);
        }
      })(),
    };
  };
}
