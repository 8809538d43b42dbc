import type { Server } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { SlothError } from '@sloth/core';
import { listenOn } from '@sloth/core/internal';

/** A plain-HTTP server listening, and how to stop it. */
export interface HttpListener {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface HttpListenerOptions {
  port: number;
  bind: string;
  /** Whose server it is, for errors ("the master", "agent web-01"). */
  what: string;
  /** What it serves, for errors ("metrics", "the dashboard"). */
  serves: string;
  /** The flag that chose the port, for the hint when it is taken. */
  portFlag: string;
  /** The server is an HTTPS one (the URL says https). */
  tls?: boolean | undefined;
}

/**
 * Starts `server` (HTTP or HTTPS) on bind:port; a port in use is a usage error naming the flag. `close` stops it with every open
 * connection (a scraper's kept-alive one, a browser's stream), after `beforeClose`.
 */
export async function listenHttp(
  server: Server | HttpsServer,
  options: HttpListenerOptions,
  beforeClose: () => void = () => {},
): Promise<HttpListener> {
  const { port, urlHost } = await listenOn(
    server,
    options.port,
    options.bind,
    (err) =>
      new SlothError(
        'usage',
        `${options.what} cannot serve ${options.serves} on ${options.bind}:${options.port}: ${err.code === 'EADDRINUSE' ? 'the port is in use' : err.message}`,
        { hint: `choose another ${options.portFlag}`, cause: err },
      ),
  );
  let closing: Promise<void> | undefined;
  return {
    url: `${options.tls ? 'https' : 'http'}://${urlHost}:${port}`,
    port,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        beforeClose();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
