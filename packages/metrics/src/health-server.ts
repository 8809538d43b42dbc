import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { errorMessage, SlothError } from '@sloth/core';
import { listenOn } from '@sloth/core/internal';
import type { Registry } from 'prom-client';

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
export interface HealthServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const TEXT = 'text/plain; charset=utf-8';

/**
 * Serves GET /metrics (Prometheus text exposition), /healthz (200 while the process serves) and /readyz (200 when
 * `ready` says so, 503 with the reason otherwise) over plain HTTP/1.1. Read-only: nothing here runs or changes anything.
 */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const server = createServer((req, res) => void answer(options, req, res));
  const { port, urlHost } = await listenOn(
    server,
    options.port,
    options.bind,
    (err) =>
      new SlothError(
        'usage',
        `${options.what} cannot serve metrics on ${options.bind}:${options.port}: ${err.code === 'EADDRINUSE' ? 'the port is in use' : err.message}`,
        { hint: `choose another ${options.portFlag}`, cause: err },
      ),
  );
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // A scraper's kept-alive connection must not hold the process.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

async function answer(options: HealthServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method !== 'GET' && req.method !== 'HEAD') return reply(res, 405, 'only GET\n', { allow: 'GET, HEAD' });
  try {
    switch (path) {
      case '/metrics': {
        const registries = options.registries();
        const texts = await Promise.all(registries.map((r) => r.metrics()));
        return reply(res, 200, texts.join(''), { 'content-type': registries[0]?.contentType ?? TEXT });
      }
      case '/healthz':
        return reply(res, 200, 'ok\n');
      case '/readyz': {
        const r = options.ready();
        return reply(res, r.ready ? 200 : 503, `${r.ready ? 'ready' : 'not ready'}: ${r.detail}\n`);
      }
      default:
        return reply(res, 404, 'not found: try /metrics, /healthz or /readyz\n');
    }
  } catch (err) {
    reply(res, 500, `error: ${errorMessage(err)}\n`);
  }
}

function reply(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': TEXT, ...headers });
  res.end(body);
}
