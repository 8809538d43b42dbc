import { lookup } from 'node:dns/promises';
import { connect } from 'node:net';
import { arg, formatDuration, type ModuleCallContext, parseDuration, SlothError, z } from '@sloth/core';
import { check } from './check.js';
import { httpGet } from './http-get.js';
import { portArg } from './port-checks.js';

// Connections, DNS and HTTP are made from the machine that runs the task, by Node itself (the host interface has no
// network calls); every one is bounded by its timeout and stops with the task.

const hostArg = arg('host', z.string().min(1, 'expected a host name or address'), 'a host name or address');
const timeoutArg = arg(
  'timeout',
  z
    .union([z.number().positive('expected a positive number of seconds'), z.string()])
    .optional()
    .transform((v, issue) => {
      if (v === undefined) return undefined;
      try {
        return parseDuration(v, 'timeout');
      } catch (err) {
        issue.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    }),
  'seconds, or a duration like "2s" (default 5s)',
);
const DEFAULT_TIMEOUT_MS = 5_000;
const HTTP_TIMEOUT_MS = 10_000;

/** A signal that fires on the task's stop or after `ms`. */
const bounded = (ctx: ModuleCallContext, ms: number) => AbortSignal.any([ctx.signal, AbortSignal.timeout(ms)]);

/** Why a network call failed, in a few words: "ECONNREFUSED", "timed out after 5s". */
function reason(err: unknown, timeoutMs: number): string {
  const e = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  if (e?.name === 'TimeoutError' || e?.cause?.name === 'TimeoutError') return `timed out after ${formatDuration(timeoutMs)}`;
  return e?.cause?.code ?? e?.code ?? e?.cause?.message ?? e?.message ?? String(err);
}

/** Throws the task's stop: a stopped task's check is not a failed check. */
function stopIfStopped(ctx: ModuleCallContext): void {
  if (ctx.signal.aborted) throw new SlothError('aborted', `${ctx.fn}: stopped with the task`);
}

export const canConnect = check({
  doc: 'Passes when a TCP connection to host:port opens within the timeout (from the machine running the task).',
  args: [hostArg, portArg, timeoutArg],
  examples: ['infra_test.can_connect("db-server.internal", 5432)', 'infra_test.can_connect("127.0.0.1", 6379, "2s")'],
  check: async ([host, port, timeout], ctx) => {
    const ms = timeout ?? DEFAULT_TIMEOUT_MS;
    const signal = bounded(ctx, ms);
    try {
      await new Promise<void>((resolve, reject) => {
        const socket = connect({ host, port, signal });
        socket.once('connect', () => {
          socket.destroy();
          resolve();
        });
        socket.once('error', reject);
      });
      return undefined;
    } catch (err) {
      stopIfStopped(ctx);
      return `cannot connect to ${host}:${port}: ${signal.aborted ? `timed out after ${formatDuration(ms)}` : reason(err, ms)}`;
    }
  },
});

export const dnsResolves = check({
  doc: 'Passes when the name resolves to at least one address, as programs on this machine resolve it (getaddrinfo: /etc/hosts, then DNS).',
  args: [arg('name', z.string().min(1, 'expected a host name'), 'a host name')],
  examples: ['infra_test.dns_resolves("localhost")'],
  check: async ([name], ctx) => {
    const signal = bounded(ctx, DEFAULT_TIMEOUT_MS);
    const timedOut = new Promise<never>((_, reject) =>
      signal.addEventListener('abort', () => reject(signal.reason), { once: true }),
    );
    try {
      const found = await Promise.race([lookup(name, { all: true }), timedOut]);
      return found.length > 0 ? undefined : `${name} resolves to no address`;
    } catch (err) {
      stopIfStopped(ctx);
      return `${name} does not resolve: ${reason(err, DEFAULT_TIMEOUT_MS)}`;
    }
  },
});

export const ping = check({
  doc: 'Passes when the host answers `count` pings (the system `ping`, which must be installed: iputils-ping on Debian).',
  args: [hostArg, arg('count', z.number().int().min(1).max(100).optional(), 'how many pings (default 1)')],
  examples: ['infra_test.ping("127.0.0.1", 3)'],
  check: async ([host, count], ctx) => {
    if (host.startsWith('-')) return `${host} is not a host name`;
    const n = count ?? 1;
    // -W: seconds to wait for each answer, so a host that never answers ends the check.
    const r = await ctx.host.run(['ping', '-c', String(n), '-W', '2', host], { timeoutMs: (n + 5) * 3000 });
    if (r.spawnError === 'ENOENT') {
      throw new SlothError('not_found', `${ctx.fn}: 'ping' is not installed on ${ctx.host.name}`, {
        hint: 'install it (Debian: apt-get install iputils-ping), or check the service with infra_test.can_connect(host, port)',
      });
    }
    stopIfStopped(ctx);
    if (r.exitCode === 0) return undefined;
    const said =
      r.stderr.trim() ||
      r.stdout
        .trim()
        .split('\n')
        .filter((l) => /packets|unknown|failure/i.test(l))
        .join('; ') ||
      `exit ${r.exitCode}`;
    return `${host} did not answer ${n} ping${n === 1 ? '' : 's'}: ${said.split('\n').slice(-2).join('; ')}`;
  },
});

const urlArg = arg(
  'url',
  z.string().refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol), 'expected an http:// or https:// URL'),
  'an http(s) URL',
);

/** A GET of the URL (redirects followed): its status and body, or why it failed. */
async function get(ctx: ModuleCallContext, url: string): Promise<{ status: number; body: string } | string> {
  const signal = bounded(ctx, HTTP_TIMEOUT_MS);
  try {
    return await httpGet(url, signal);
  } catch (err) {
    stopIfStopped(ctx);
    return `GET ${url} failed: ${signal.aborted ? `timed out after ${formatDuration(HTTP_TIMEOUT_MS)}` : reason(err, HTTP_TIMEOUT_MS)}`;
  }
}

export const httpStatus = check({
  doc: 'Passes when a GET of the URL (redirects followed, 10s timeout) answers with this status code.',
  args: [urlArg, arg('status', z.number().int().min(100).max(599), 'the expected status code')],
  examples: ['infra_test.http_status("http://localhost/health", 200)'],
  check: async ([url, status], ctx) => {
    const r = await get(ctx, url);
    if (typeof r === 'string') return r;
    return r.status === status ? undefined : `GET ${url} answered ${r.status}, expected ${status}`;
  },
});

export const httpBodyContains = check({
  doc: 'Passes when a GET of the URL (redirects followed, 10s timeout) answers 2xx with a body containing the text.',
  args: [urlArg, arg('text', z.string().min(1, 'expected the text to look for'), 'the text')],
  examples: ['infra_test.http_body_contains("http://localhost", "Welcome to nginx")'],
  check: async ([url, text], ctx) => {
    const r = await get(ctx, url);
    if (typeof r === 'string') return r;
    if (r.status < 200 || r.status > 299) return `GET ${url} answered ${r.status}`;
    return r.body.includes(text) ? undefined : `the body of GET ${url} does not contain ${JSON.stringify(text)}`;
  },
});
