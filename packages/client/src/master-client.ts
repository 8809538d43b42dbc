import type { MessageInitShape } from '@bufbuild/protobuf';
import type { Client, Interceptor, Transport } from '@connectrpc/connect';
import { createClient } from '@connectrpc/connect';
import { createConnectTransport, Http2SessionManager } from '@connectrpc/connect-node';
import { AgentService, ControlService, type ShellRequestSchema } from '@sloth/proto';
import { masterBaseUrl } from './master-address.js';

/** How to reach a master: its address, the token it wants, and the CA its TLS certificate is signed by. */
export interface MasterConnection {
  address: string;
  token?: string | undefined;
  /** PEM of the CA that signed the master's certificate; implies https. */
  ca?: string | Buffer | undefined;
}

/** HTTP/2 keep-alive for long-lived streams: a link whose PINGs go unanswered closes (and the agent reconnects). */
export interface PingOptions {
  pingIntervalMs: number;
  pingTimeoutMs: number;
}

/** Adds `authorization: Bearer <token>` to every call. */
export function bearerAuth(token: string): Interceptor {
  return (next) => (req) => {
    req.header.set('authorization', `Bearer ${token}`);
    return next(req);
  };
}

/** A Connect transport over HTTP/2 to the master, and how to close its connection (which ends its open streams). */
export interface MasterTransport {
  transport: Transport;
  baseUrl: string;
  close(reason?: Error): void;
}

/** Opens a transport to the master: one HTTP/2 session, reused by every call made through it. */
export function masterTransport(conn: MasterConnection, ping?: PingOptions): MasterTransport {
  const baseUrl = masterBaseUrl(conn.address, conn.ca !== undefined);
  const sessions = new Http2SessionManager(
    baseUrl,
    ping ? { pingIntervalMs: ping.pingIntervalMs, pingTimeoutMs: ping.pingTimeoutMs, pingIdleConnection: true } : {},
    conn.ca !== undefined ? { ca: conn.ca } : {},
  );
  const transport = createConnectTransport({
    baseUrl,
    httpVersion: '2',
    sessionManager: sessions,
    interceptors: conn.token ? [bearerAuth(conn.token)] : [],
  });
  return { transport, baseUrl, close: (reason) => sessions.abort(reason) };
}

/** A client of the master's ControlService (what the CLI asks). */
export type ControlClient = Client<typeof ControlService>;

/** One message of a Shell call (`agent shell`), as the caller builds it. */
export type ShellRequestInit = MessageInitShape<typeof ShellRequestSchema>;

/** A ControlService client over its own transport. */
export function controlClient(conn: MasterConnection): ControlClient {
  return createClient(ControlService, masterTransport(conn).transport);
}

/** A client of the master's AgentService (the agent's stream). */
export function agentClient(transport: Transport): Client<typeof AgentService> {
  return createClient(AgentService, transport);
}
