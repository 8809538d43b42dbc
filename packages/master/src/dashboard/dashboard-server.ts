import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { Code, ConnectError, type ConnectRouter, createContextValues } from '@connectrpc/connect';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import { slothErrorsToConnect } from '@sloth/client';
import { answerHealth, type HealthServerOptions, type HttpListener, listenHttp } from '@sloth/metrics';
import { DashboardService } from '@sloth/proto';
import { z } from 'zod';
import { isLoopback } from '../master-options.js';
import { dashboardActor } from './audit.js';
import { type DashboardSources, dashboardService } from './dashboard-service.js';
import { LoginThrottle } from './login-throttle.js';
import { DashboardSessions, sessionActor, sessionCookie } from './sessions.js';
import { MAX_IMPORT_CHARS } from './stacks-service.js';
import { dashboardAssets, PAGE_HEADERS, serveStatic } from './static-files.js';

export interface DashboardServerOptions {
  port: number;
  bind: string;
  /** The master's token: the login page asks for it. None: no login (loopback only, or --insecure). */
  token: string | undefined;
  /** Whose server this is, for errors ("the master", "the dashboard"). */
  what: string;
  /** The flag that chose the port, for the hint when it is taken. */
  portFlag: string;
  sources: DashboardSources;
  /** What /metrics exports and /readyz answers. */
  health: Pick<HealthServerOptions, 'registries' | 'ready'>;
  log: (level: 'info' | 'warn' | 'error' | 'debug', message: string) => void;
  /** PEM certificate chain and key (the master's): the dashboard is served over HTTPS and its cookie is Secure. */
  tls?: { cert: string; key: string } | undefined;
  /** Where the built page is (default: dist/ of @sloth/dashboard-ui); tests give their own. */
  assets?: string | undefined;
}

/** A running dashboard server. */
export type DashboardServer = HttpListener;

/** The prefix of the dashboard's Connect calls. */
const API_PREFIX = `/${DashboardService.typeName}/`;
const MAX_LOGIN_BYTES = 8192;
const loginSchema = z.object({ token: z.string().max(4096) });

/**
 * Serves the web dashboard over HTTP/1.1: the page (built by Vite, from this machine: no CDN), its login
 * (/api/session, /api/login, /api/logout), its Connect API (DashboardService, server streams) behind the session
 * cookie and the CSRF header, and GET /metrics, /healthz and /readyz, which need no login (scrapers and probes).
 */
export async function startDashboardServer(options: DashboardServerOptions): Promise<DashboardServer> {
  const sessions = new DashboardSessions(options.token);
  const throttle = new LoginThrottle();
  const secure = options.tls !== undefined;
  const shutdown = new AbortController();
  const assets = options.assets ?? dashboardAssets();
  const api = connectNodeAdapter({
    routes: (router: ConnectRouter) => router.service(DashboardService, dashboardService(options.sources)),
    shutdownSignal: shutdown.signal,
    // A stack import is the largest call (its JSON text, escaped once more in the call's JSON).
    readMaxBytes: 3 * MAX_IMPORT_CHARS,
    interceptors: [slothErrorsToConnect],
    // Every API call has passed the session check (below) before it gets here: its session says who acts.
    contextValues: (req) => {
      const s = sessions.of(req as IncomingMessage, Date.now());
      return createContextValues().set(dashboardActor, s ? sessionActor(s) : '');
    },
  });
  // With no token, a loopback server is open to this machine's users only: a page of any site could still reach it
  // through a DNS name made to point at 127.0.0.1 (DNS rebinding), which the Host header gives away.
  const checkHost = options.token === undefined && isLoopback(options.bind);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (await answerHealth(options.health, req, res)) return;
    const path = (req.url ?? '/').split('?')[0] as string;
    const now = Date.now();
    if (checkHost && !isLoopback(hostOf(req.headers.host))) {
      return json(res, 403, { error: 'this dashboard answers only to a loopback address (127.0.0.1, localhost)' });
    }
    if (path.startsWith(API_PREFIX)) {
      if (!sessions.checked(req, now)) {
        const e = new ConnectError('log in first (or the session expired)', Code.Unauthenticated);
        return json(res, 401, { code: 'unauthenticated', message: e.rawMessage });
      }
      return api(req, res);
    }
    switch (path) {
      case '/api/session': {
        // Without a token anyone who reaches the server (loopback only) is in: the session is opened here.
        const s =
          sessions.of(req, now) ?? (sessions.tokenRequired ? undefined : sessions.open(undefined, now, req.socket.remoteAddress));
        const headers: Record<string, string> = s && !sessions.tokenRequired ? { 'set-cookie': sessionCookie(s, secure) } : {};
        // control: whether agent control is here (a master's dashboard), told only to a session.
        const control = options.sources.control !== undefined;
        return json(res, 200, { tokenRequired: sessions.tokenRequired, ...(s ? { csrf: s.csrf, control } : {}) }, headers);
      }
      case '/api/login':
        return login(req, res, now);
      case '/api/logout': {
        if (req.method !== 'POST') return json(res, 405, { error: 'use POST' });
        const s = sessions.checked(req, now);
        if (s) sessions.close(s.id);
        return json(res, 200, {}, { 'set-cookie': sessionCookie(undefined, secure) });
      }
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 405, { error: 'only GET' });
    serveStatic(assets, req, res);
  };

  const login = async (req: IncomingMessage, res: ServerResponse, now: number): Promise<void> => {
    if (req.method !== 'POST') return json(res, 405, { error: 'use POST' });
    // A form of another site must not log a browser in (login CSRF): its Origin names that site.
    const origin = req.headers.origin;
    if (origin !== undefined && hostOfUrl(origin) !== req.headers.host) {
      return json(res, 403, { error: 'a login must come from the dashboard itself' });
    }
    const body = await readBody(req, MAX_LOGIN_BYTES);
    let parsed: z.infer<typeof loginSchema> | undefined;
    try {
      parsed = loginSchema.parse(JSON.parse(body ?? ''));
    } catch {
      return json(res, 400, { error: 'send {"token": "..."} as JSON' });
    }
    const address = req.socket.remoteAddress ?? '';
    const wait = throttle.waitMs(address, now);
    if (wait > 0) {
      return json(res, 429, { error: `too many wrong tokens from this address: try again in ${Math.ceil(wait / 1000)} s` });
    }
    const s = sessions.open(parsed.token.trim(), now, address);
    if (!s) {
      throttle.failed(address, now);
      options.log('warn', `dashboard: a login with a wrong token from ${address}`);
      return json(res, 401, { error: 'wrong token: use the token the master was started with (--token-file)' });
    }
    json(res, 200, { csrf: s.csrf }, { 'set-cookie': sessionCookie(s, secure) });
  };

  const answer = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((err: unknown) => {
      options.log('error', `dashboard: ${req.method} ${req.url} failed: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent) json(res, 500, { error: 'internal error: see the server log' });
      else res.destroy();
    });
  };
  const server = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, answer) : createServer(answer);
  return listenHttp(server, { ...options, serves: 'the dashboard', tls: secure }, () =>
    shutdown.abort(new ConnectError('the dashboard is shutting down', Code.Unavailable)),
  );
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...PAGE_HEADERS, 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

/** The body of a request, or undefined when it is longer than `max` bytes. */
async function readBody(req: IncomingMessage, max: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The host name of a Host header (without its port; an IPv6 address without its brackets). */
function hostOf(host: string | undefined): string {
  if (!host) return '';
  const m = /^\[([^\]]+)\]/.exec(host);
  return m ? (m[1] as string) : (host.split(':')[0] as string);
}

/** host:port of an Origin URL, as a Host header writes it. */
function hostOfUrl(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}
