import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { errorMessage } from '@sloth/core';
import type { Registry } from 'prom-client';
import { type HttpListener, listenHttp } from './http-listener.js';

/** Whether the server's owner can do its job now, and why not. */
export interface Readiness {
  ready: boolean;
  detail: string;
}

export interface HealthServerOptions {
  port: number;
  bind: string;
  /** Whose endpoints these are, for errors ("the master", "agent web-01"). */
  what: string;
  /** The flag that chose the port, for the hint when it is taken. */
  portFlag: string;
  /** The registries exported on /metrics, in this order (their family names must not overlap). */
  registries: () => readonly Registry[];
  /** Answers /readyz. */
  ready: () => Readiness;
}

/** A running /metrics, /healthz, /readyz server. */
export type HealthServer = HttpListener;

const TEXT = 'text/plain; charset=utf-8';

/**
 * Serves GET /metrics (Prometheus text exposition), /healthz (200 while the process serves) and /readyz (200 when
 * `ready` says so, 503 with the reason otherwise) over plain HTTP/1.1. Read-only: nothing here runs or changes anything.
 */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const server = createServer((req, res) => void answer(options, req, res));
  return listenHttp(server, { ...options, serves: 'metrics' });
}

async function answer(options: HealthServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (!(await answerHealth(options, req, res))) reply(res, 404, 'not found: try /metrics, /healthz or /readyz\n');
}

/** The paths answerHealth serves. */
export const HEALTH_PATHS: ReadonlySet<string> = new Set(['/metrics', '/healthz', '/readyz']);

/**
 * Answers GET /metrics, /healthz and /readyz (read-only, so no login: scrapers and probes call them) and returns true;
 * returns false, answering nothing, for any other path. For servers that serve more than these (the dashboard).
 */
export async function answerHealth(
  options: Pick<HealthServerOptions, 'registries' | 'ready'>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  const path = (req.url ?? '/').split('?')[0] as string;
  if (!HEALTH_PATHS.has(path)) return false;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    reply(res, 405, 'only GET\n', { allow: 'GET, HEAD' });
    return true;
  }
  try {
    switch (path) {
      case '/metrics': {
        const registries = options.registries();
        const texts = await Promise.all(registries.map((r) => r.metrics()));
        reply(res, 200, texts.join(''), { 'content-type': registries[0]?.contentType ?? TEXT });
        break;
      }
      case '/healthz':
        reply(res, 200, 'ok\n');
        break;
      default: {
        const r = options.ready();
        reply(res, r.ready ? 200 : 503, `${r.ready ? 'ready' : 'not ready'}: ${r.detail}\n`);
      }
    }
  } catch (err) {
    reply(res, 500, `error: ${errorMessage(err)}\n`);
  }
  return true;
}

function reply(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': TEXT, ...headers });
  res.end(body);
}
