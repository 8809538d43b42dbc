import { resolve } from 'node:path';
import { formatDuration, type ModuleCallContext, SlothError } from '@sloth/core';
import { type AbortCause, abortableSleep, abortError, retryDelay, retryPolicy, timedOutAfter } from '@sloth/core/internal';
import { encodeJson } from '@sloth/module-data';
import type { Dispatcher } from 'undici';
import { describeNetworkError, type NetworkFailure } from './network-errors.js';
import type { RequestOptions } from './options.js';
import { parseTarget, type Target } from './target.js';

/** One request as the caller described it, checked and ready to send (retries included). */
export interface Exchange {
  method: string;
  target: Target;
  headers: Headers;
  body: string | undefined;
  timeoutMs: number;
  retries: number;
  retryDelayMs: number;
  redirect: 'follow' | 'manual';
  caFile: string | undefined;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_RETRY_DELAY_MS = 500;
/** The longest wait between two attempts, whatever the backoff or a Retry-After header say. */
const MAX_RETRY_WAIT_MS = 30_000;

/** Checks a request's URL and options and builds what is sent. */
export function prepareExchange(
  fn: string,
  method: string,
  url: string,
  opts: RequestOptions = {},
  defaults: { timeoutMs?: number } = {},
): Exchange {
  const target = parseTarget(fn, url, opts.query);
  const headers = new Headers();
  for (const [name, value] of Object.entries(opts.headers ?? {})) {
    try {
      headers.set(name, value);
    } catch {
      throw new SlothError('invalid_argument', `${fn}: invalid header '${name}'`, {
        hint: 'header names are letters, digits and -; values hold no line breaks',
      });
    }
  }
  if (opts.body !== undefined && opts.json !== undefined) {
    throw new SlothError('invalid_argument', `${fn}: both body and json given`, {
      hint: 'send text with body = "...", or a table as JSON with json = {...}',
    });
  }
  let body = opts.body;
  if (opts.json !== undefined) {
    body = encodeJson(opts.json, fn);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  }
  if (body !== undefined && (method === 'GET' || method === 'HEAD')) {
    throw new SlothError('invalid_argument', `${fn}: a ${method} request has no body`, {
      hint: 'send data with http.post/put/patch, or as query = {...}',
    });
  }
  const auth = opts.basic_auth ?? target.credentials;
  if (auth && opts.bearer !== undefined) {
    throw new SlothError('invalid_argument', `${fn}: both basic auth and a bearer token given`, {
      hint: 'pass one of basic_auth (or user:password@ in the URL) and bearer',
    });
  }
  if (auth) headers.set('authorization', `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}`);
  if (opts.bearer !== undefined) headers.set('authorization', `Bearer ${opts.bearer}`);
  return {
    method,
    target,
    headers,
    body,
    timeoutMs: opts.timeout ?? defaults.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    retries: opts.retries ?? 0,
    retryDelayMs: opts.retry_delay ?? DEFAULT_RETRY_DELAY_MS,
    redirect: opts.follow_redirects === false ? 'manual' : 'follow',
    caFile: opts.ca_file,
  };
}

/** Answers that another attempt may change: too many requests, and the server's own failures. */
const retryableStatus = (status: number) => status === 429 || status >= 500;

/**
 * Sends the exchange and hands the response to `consume` (which reads its body under the same time limit), trying
 * again with backoff on connection errors, timeouts, 429 and 5xx while retries last. The task's signal stops it at
 * once; a network failure is a SlothError naming the host and the reason, a non-2xx answer is not an error.
 */
export async function send<T>(
  ctx: ModuleCallContext,
  exchange: Exchange,
  consume: (response: Response, started: number) => Promise<T>,
): Promise<T> {
  const { method, target, retries } = exchange;
  const dispatcher = exchange.caFile === undefined ? undefined : await trustingAgent(ctx, exchange.caFile);
  const policy = { ...retryPolicy(retries, 'exponential', exchange.retryDelayMs), maxDelayMs: MAX_RETRY_WAIT_MS };
  try {
    for (let attempt = 1; ; attempt += 1) {
      const limit = AbortSignal.timeout(exchange.timeoutMs);
      const signal = AbortSignal.any([ctx.signal, limit]);
      const started = performance.now();
      let why: string;
      let wait: number | undefined;
      try {
        const response = await fetch(target.url, {
          method,
          headers: exchange.headers,
          body: exchange.body,
          redirect: exchange.redirect,
          signal,
          ...(dispatcher ? { dispatcher } : {}),
        } as RequestInit);
        if (!retryableStatus(response.status) || attempt > retries) return await consume(response, started);
        await response.body?.cancel().catch(() => {});
        why = `answered ${response.status} ${response.statusText}`.trim();
        wait = retryAfterMs(response.headers.get('retry-after'));
      } catch (err) {
        if (ctx.signal.aborted) throw stopped(ctx.signal.reason);
        if (err instanceof SlothError) throw err;
        const failure = limit.aborted ? timeoutFailure(exchange) : describeNetworkError(err);
        if (failure.permanent || attempt > retries) throw requestError(ctx.fn, exchange, failure, attempt, limit.aborted);
        why = `failed: ${failure.reason}`;
      }
      await pause(ctx, exchange, attempt, why, wait ?? retryDelay(policy, attempt + 1));
    }
  } finally {
    await dispatcher?.close();
  }
}

function timeoutFailure(exchange: Exchange): NetworkFailure {
  return {
    reason: `no answer from ${exchange.target.url.host}: ${timedOutAfter(exchange.timeoutMs)}`,
    hint: 'check the service answers, or allow it longer with timeout = "60s"',
    permanent: false,
  };
}

/** The error of a request that failed for good: the host, the request (no credentials) and the reason. */
function requestError(fn: string, exchange: Exchange, failure: NetworkFailure, attempts: number, timedOut: boolean) {
  const tries = attempts > 1 ? ` (after ${attempts} attempts)` : '';
  const { method, target } = exchange;
  const message = timedOut
    ? `${fn}: ${method} ${target.shown}: ${failure.reason}${tries}`
    : `${fn}: cannot reach ${target.url.host} (${method} ${target.shown}): ${failure.reason}${tries}`;
  return new SlothError(timedOut ? 'timeout' : 'unavailable', message, { hint: failure.hint });
}

/** Logs the retry to come and waits for it (the task's signal cuts the wait short). */
async function pause(ctx: ModuleCallContext, exchange: Exchange, attempt: number, why: string, waitMs: number) {
  const ms = Math.min(waitMs, MAX_RETRY_WAIT_MS);
  ctx.log.log(
    'warn',
    `${ctx.fn}: ${exchange.method} ${exchange.target.shown} ${why}; retry ${attempt} of ${exchange.retries} in ${formatDuration(ms)}`,
  );
  try {
    await abortableSleep(ms, ctx.signal);
  } catch {
    throw stopped(ctx.signal.reason);
  }
}

/** The error for a request stopped by the task's signal (its timeout, Ctrl-C, the run stopping). */
function stopped(reason: unknown): SlothError {
  const cause = reason as AbortCause | undefined;
  if (cause && (cause.kind === 'timeout' || cause.kind === 'run')) return abortError(cause);
  return new SlothError('aborted', 'request stopped: the task was cancelled');
}

/** Retry-After in seconds (HTTP dates are left to the backoff). */
function retryAfterMs(header: string | null): number | undefined {
  if (header === null || !/^\d+$/.test(header.trim())) return undefined;
  return Number(header.trim()) * 1000;
}

/** A connection pool that trusts the CA certificates of a PEM file (instead of the system's). */
async function trustingAgent(ctx: ModuleCallContext, caFile: string): Promise<Dispatcher> {
  let ca: Buffer;
  try {
    ca = await ctx.host.readFile(caFile);
  } catch (err) {
    throw new SlothError(
      'invalid_argument',
      `${ctx.fn}: cannot read ca_file '${resolve(ctx.workdir, caFile)}': ${(err as Error).message}`,
      {
        hint: 'give the path of a PEM file with the CA certificate(s) to trust (relative paths: the task workdir)',
      },
    );
  }
  const { Agent } = await import('undici');
  return new Agent({ connect: { ca } });
}
