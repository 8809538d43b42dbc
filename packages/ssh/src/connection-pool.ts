import { type ConnectOptions, connectionKey } from './connect-options.js';
import { KnownHosts } from './known-hosts.js';
import type { SshConnection } from './ssh-connection.js';

/**
 * The connections of a run: one per user, host and port, opened on first use and shared by every task and call
 * (each command a channel of it), closed together at the end. A connection that dropped is opened again on next use.
 */
export class ConnectionPool {
  private readonly connections = new Map<string, Promise<SshConnection>>();
  private readonly knownHosts: KnownHosts;
  /** How many connections were opened (the pool's tests count TCP connections with it). */
  opened = 0;

  /** `knownHostsFile`: where host keys are recorded and checked (the data directory's known_hosts by default). */
  constructor(readonly knownHostsFile: string) {
    this.knownHosts = new KnownHosts(knownHostsFile);
  }

  /** The connection for `options`, opening it (once, even when many ask at the same time) if needed. */
  async get(options: ConnectOptions, signal?: AbortSignal): Promise<SshConnection> {
    const effective = { ...options, known_hosts_file: options.known_hosts_file ?? this.knownHostsFile };
    const key = connectionKey(effective);
    const existing = this.connections.get(key);
    if (existing) {
      const connection = await existing.catch(() => undefined);
      if (connection?.usable) return connection;
      if (this.connections.get(key) === existing) this.connections.delete(key);
      // Someone may have opened it again meanwhile.
      const again = this.connections.get(key);
      if (again) return again;
    }
    const known =
      effective.known_hosts_file === this.knownHostsFile ? this.knownHosts : new KnownHosts(effective.known_hosts_file);
    // ssh2 is loaded with the first connection: a run that reaches no host over SSH never pays for it.
    const opening = import('./ssh-connection.js')
      .then(({ SshConnection }) => SshConnection.open(effective, known, signal))
      .then((connection) => {
        this.opened += 1;
        return connection;
      });
    this.connections.set(key, opening);
    // A failed attempt is not kept: the next call tries again.
    opening.catch(() => {
      if (this.connections.get(key) === opening) this.connections.delete(key);
    });
    return opening;
  }

  /** Closes the connection of one pool key (see connectionKey), if it is open. */
  async closeOne(key: string): Promise<void> {
    const connection = this.connections.get(key);
    this.connections.delete(key);
    await connection?.then((c) => c.close()).catch(() => {});
  }

  /** Closes every connection; later calls open new ones. */
  async close(): Promise<void> {
    const all = [...this.connections.values()];
    this.connections.clear();
    await Promise.all(all.map((p) => p.then((c) => c.close()).catch(() => {})));
  }
}
