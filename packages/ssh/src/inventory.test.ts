import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SlothError } from '@sloth/core';
import { describe, expect, it } from 'vitest';
import { loadInventory } from './inventory.js';
import { SshFleet } from './ssh-fleet.js';

const dir = mkdtempSync(join(tmpdir(), 'sloth-inventory-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const INVENTORY = `
defaults:
  user: deploy
  key_file: keys/deploy
hosts:
  web-01:
    address: 10.0.0.5
    groups: [web, prod]
    labels: { role: web }
  web-02:
    address: 10.0.0.6
    port: 2222
    groups: [web]
    sudo: true
  db-01:
    user: postgres
groups:
  prod: [db-01]
`;

describe('inventory', () => {
  it('reads hosts with defaults, groups from both places, key files relative to it', async () => {
    const inv = await loadInventory(file('inventory.yaml', INVENTORY));
    const web1 = inv.hosts.get('web-01');
    expect(web1?.connect).toMatchObject({ host: '10.0.0.5', port: 22, user: 'deploy', key_file: join(dir, 'keys/deploy') });
    expect(web1?.labels).toEqual({ role: 'web' });
    expect(inv.hosts.get('web-02')).toMatchObject({ sudo: true, connect: { port: 2222 } });
    expect(inv.hosts.get('db-01')?.connect).toMatchObject({ host: 'db-01', user: 'postgres' });
    expect(Object.fromEntries(inv.groups)).toEqual({ prod: ['db-01', 'web-01'], web: ['web-01', 'web-02'] });
    expect(inv.resolve('web,db-01')).toEqual(['web-01', 'web-02', 'db-01']);
    expect(inv.resolve('all')).toEqual(['web-01', 'web-02', 'db-01']);
  });

  it('says what is wrong and where', async () => {
    const fail = async (text: string) =>
      ((await loadInventory(file('bad.yaml', text)).catch((e: unknown) => e)) as SlothError).message;
    expect(await fail('hosts:\n  a:\n    adress: x\n')).toBe(
      `inventory ${join(dir, 'bad.yaml')} at hosts.a: unknown field 'adress' (did you mean 'address'?); fields are user, port, key_file, agent, known_hosts_file, host_key_check, timeout, sudo, address, labels, groups`,
    );
    expect(await fail('hosts:\n  a: {port: "22"}\n')).toMatch(/at hosts\.a\.port: /);
    expect(await fail('hosts:\n  a:\n   - x\n  b: [\n')).toMatch(/bad\.yaml:\d+:\d+ is not valid YAML/);
    expect(await fail('hosts:\n  a: {}\ngroups:\n  web: [b]\n')).toMatch(/group 'web' names 'b', which is not a host/);
    expect(await fail('hosts:\n  a: {groups: [a]}\n')).toMatch(/'a' is both a host and a group/);
    const missing = (await loadInventory(join(dir, 'none.yaml')).catch((e: unknown) => e)) as SlothError;
    expect(missing.code).toBe('not_found');
  });

  it('--limit keeps a run to some hosts; agents and ssh:// addresses pass through', async () => {
    const inventory = await loadInventory(file('inventory.yaml', INVENTORY));
    const fleet = new SshFleet({ knownHostsFile: join(dir, 'kh'), inventory, limit: 'web' });
    expect(fleet.select(['prod'])).toEqual(['web-01']);
    expect(fleet.select(['web', 'agent-7', 'ssh://x@h'])).toEqual(['web-01', 'web-02', 'agent-7', 'ssh://x@h']);
    expect(fleet.has('web-01') && fleet.has('ssh://h') && !fleet.has('agent-7')).toBe(true);
    expect(() => new SshFleet({ knownHostsFile: 'kh', inventory, limit: 'wbe' })).toThrow(
      "--limit wbe: 'wbe' is neither a host nor a group of the inventory (did you mean 'web'?)",
    );
  });
});
