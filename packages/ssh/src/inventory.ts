import { homedir } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import { didYouMean, SlothError, strictTable, z } from '@sloth/core';
import { readUserFile } from '@sloth/core/internal';
import { parse, YAMLParseError } from 'yaml';
import { type ConnectOptions, connectOptions, HOST_KEY_CHECKS } from './connect-options.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const name = z.string().regex(NAME, 'a name is letters, digits, ".", "_" and "-", starting with a letter or digit');

/** What every host may set, and `defaults` sets for all of them. */
const connectionShape = {
  user: z.string().min(1).optional(),
  port: z.number().int().min(1).max(65535).optional(),
  key_file: z.string().min(1).optional(),
  agent: z.union([z.boolean(), z.string().min(1)]).optional(),
  known_hosts_file: z.string().min(1).optional(),
  host_key_check: z.enum(HOST_KEY_CHECKS).optional(),
  timeout: z.union([z.string(), z.number()]).optional(),
  sudo: z.boolean().optional(),
};

const hostEntry = strictTable(
  {
    ...connectionShape,
    address: z.string().min(1).optional(),
    labels: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)).optional(),
    groups: z.array(name).optional(),
  },
  'field',
);

const inventoryFile = strictTable(
  {
    defaults: strictTable(connectionShape, 'field').optional(),
    hosts: z.record(name, hostEntry.nullable()),
    groups: z.record(name, z.array(name)).optional(),
  },
  'field',
);

/** One host of an inventory: how to connect, whether to become root, its labels and groups. */
export interface InventoryHost {
  name: string;
  connect: ConnectOptions;
  sudo: boolean;
  labels: Record<string, string>;
  groups: string[];
}

/** Hosts reachable over SSH by name, and groups of them (`-i inventory.yaml`). */
export class Inventory {
  constructor(
    readonly hosts: ReadonlyMap<string, InventoryHost>,
    readonly groups: ReadonlyMap<string, readonly string[]>,
  ) {}

  /** An inventory with no hosts (no -i). */
  static empty(): Inventory {
    return new Inventory(new Map(), new Map());
  }

  /** The host names `pattern` stands for: `all`, a group, a host, or several separated by commas. */
  resolve(pattern: string, flag = '--limit'): string[] {
    const out = new Set<string>();
    for (const part of pattern
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)) {
      if (part === 'all') for (const h of this.hosts.keys()) out.add(h);
      else if (this.groups.has(part)) for (const h of this.groups.get(part) ?? []) out.add(h);
      else if (this.hosts.has(part)) out.add(part);
      else {
        const known = [...this.groups.keys(), ...this.hosts.keys()];
        throw new SlothError(
          'usage',
          `${flag} ${pattern}: '${part}' is neither a host nor a group of the inventory${didYouMean(part, known)}`,
          {
            hint: known.length ? `its groups and hosts: ${known.join(', ')}` : 'give an inventory with -i inventory.yaml',
          },
        );
      }
    }
    return [...out];
  }
}

/** Reads an inventory file: YAML with `hosts` (and optional `defaults` and `groups`); key files relative to it. */
export async function loadInventory(file: string): Promise<Inventory> {
  const text = await readUserFile(file, 'inventory', 'pass the path of a YAML inventory with -i');
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (err) {
    const where = err instanceof YAMLParseError && err.linePos ? `:${err.linePos[0].line}:${err.linePos[0].col}` : '';
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new SlothError('usage', `inventory ${file}${where} is not valid YAML: ${message}`, { hint: 'fix the YAML' });
  }
  const parsed = inventoryFile.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
    throw new SlothError('usage', `inventory ${file}${where}: ${issue?.message ?? 'invalid'}`, {
      hint: 'an inventory has hosts: { NAME: { address, user, port, key_file, labels, groups } } and optional defaults and groups',
    });
  }
  const base = dirname(resolve(file));
  const { defaults = {}, hosts: entries, groups: declared = {} } = parsed.data;
  const hosts = new Map<string, InventoryHost>();
  const groups = new Map<string, string[]>(Object.entries(declared).map(([g, members]) => [g, [...members]]));
  for (const [hostName, entry] of Object.entries(entries)) {
    const e = { ...defaults, ...(entry ?? {}) };
    const keyFile = e.key_file === undefined ? undefined : pathFrom(base, e.key_file);
    const knownHosts = e.known_hosts_file === undefined ? undefined : pathFrom(base, e.known_hosts_file);
    const connect = connectOptions.safeParse({
      host: entry?.address ?? hostName,
      ...(e.port !== undefined ? { port: e.port } : {}),
      ...(e.user !== undefined ? { user: e.user } : {}),
      ...(keyFile !== undefined ? { key_file: keyFile } : {}),
      ...(e.agent !== undefined ? { agent: e.agent } : {}),
      ...(knownHosts !== undefined ? { known_hosts_file: knownHosts } : {}),
      ...(e.host_key_check !== undefined ? { host_key_check: e.host_key_check } : {}),
      ...(e.timeout !== undefined ? { timeout: e.timeout } : {}),
    });
    if (!connect.success) {
      const issue = connect.error.issues[0];
      throw new SlothError('usage', `inventory ${file} at hosts.${hostName}.${issue?.path.join('.')}: ${issue?.message}`);
    }
    for (const g of entry?.groups ?? []) groups.set(g, [...(groups.get(g) ?? []), hostName]);
    hosts.set(hostName, {
      name: hostName,
      connect: connect.data,
      sudo: e.sudo ?? false,
      labels: entry?.labels ?? {},
      groups: entry?.groups ?? [],
    });
  }
  for (const [g, members] of groups) {
    if (hosts.has(g)) throw new SlothError('usage', `inventory ${file}: '${g}' is both a host and a group`);
    for (const m of members) {
      if (!hosts.has(m)) {
        throw new SlothError(
          'usage',
          `inventory ${file}: group '${g}' names '${m}', which is not a host${didYouMean(m, [...hosts.keys()])}`,
        );
      }
    }
    groups.set(g, [...new Set(members)]);
  }
  return new Inventory(hosts, groups);
}

/** A path as users write it in an inventory or connect options: `~/...` from the home directory, relative from `base`. */
export function pathFrom(base: string, path: string): string {
  if (path === '~' || path.startsWith('~/')) return resolve(homedir(), path.slice(2));
  return isAbsolute(path) ? path : resolve(base, path);
}
