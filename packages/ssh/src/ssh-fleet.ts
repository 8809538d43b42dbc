import type { Host, HostBinding, RemoteHosts } from '@sloth/core';
import { SlothError } from '@sloth/core';
import { type ConnectOptions, parseSshUrl } from './connect-options.js';
import { ConnectionPool } from './connection-pool.js';
import { Inventory } from './inventory.js';
import { sshHost } from './ssh-host.js';

/** What a run knows of the hosts it reaches over SSH. */
export interface SshFleetOptions {
  /** Where host keys are kept (the data directory's known_hosts). */
  knownHostsFile: string;
  inventory?: Inventory | undefined;
  /** `--limit`: the inventory hosts this run may act on (groups and names, comma separated). */
  limit?: string | undefined;
  /** `--forks`: how many hosts a fan-out reaches at once. */
  forks?: number | undefined;
}

/**
 * The run's SSH side: ssh:// addresses and inventory hosts, their pooled connections (one per user, host and port
 * for the whole run, as Ansible's ControlPersist), closed by `close` when the run ends.
 */
export class SshFleet implements RemoteHosts {
  readonly pool: ConnectionPool;
  readonly inventory: Inventory;
  readonly forks: number | undefined;
  private readonly limited: Set<string> | undefined;

  constructor(options: SshFleetOptions) {
    this.pool = new ConnectionPool(options.knownHostsFile);
    this.inventory = options.inventory ?? Inventory.empty();
    this.forks = options.forks;
    this.limited = options.limit === undefined ? undefined : new Set(this.inventory.resolve(options.limit));
  }

  has(target: string): boolean {
    return target.startsWith('ssh://') || this.inventory.hosts.has(target);
  }

  host(target: string, binding: HostBinding): Host {
    const { connect, sudo } = this.connection(target);
    return sshHost(target, (signal) => this.pool.get(connect, signal), binding, { sudo });
  }

  select(names: readonly string[]): string[] {
    const out: string[] = [];
    for (const n of names) {
      const members = this.inventory.groups.get(n);
      for (const m of members ?? [n]) {
        const inInventory = this.inventory.hosts.has(m);
        if (inInventory && this.limited && !this.limited.has(m)) continue;
        if (!out.includes(m)) out.push(m);
      }
    }
    return out;
  }

  /** Closes every connection of the run. */
  close(): Promise<void> {
    return this.pool.close();
  }

  /** How to reach `target`: an inventory host's settings, or an ssh:// address's. */
  connection(target: string): { connect: ConnectOptions; sudo: boolean } {
    const entry = this.inventory.hosts.get(target);
    if (entry) return { connect: entry.connect, sudo: entry.sudo };
    const parsed = parseSshUrl(target);
    if (!parsed) {
      throw new SlothError('not_found', `'${target}' is neither an inventory host nor an ssh:// address`, {
        hint: 'give an inventory with -i, or write ssh://user@host',
      });
    }
    return { connect: parsed, sudo: false };
  }
}
