import { join } from 'node:path';
import { Args, Flags } from '@oclif/core';
import { SlothError } from '@sloth/core';
import { type ConnectOptions, connectOptions, loadInventory, parseSshUrl } from '@sloth/ssh';
import { defaultDataDir } from '@sloth/store-sqlite';
import { DEFAULT_LAYOUT, type InstallLayout } from './install-agent.js';

/** The host argument of `agent install` and `agent uninstall`. */
export const hostArg = Args.string({
  description: 'The host: [user@]host[:port], ssh://user@host:port, or a host of the inventory given with -i.',
  required: true,
});

/** How to reach the host, and where the agent goes there. */
export const installFlags = {
  name: Flags.string({ description: "The agent's name in the fleet.", required: true }),
  inventory: Flags.string({ char: 'i', description: 'An inventory (YAML) naming the host, as for `workflow run -i`.' }),
  'key-file': Flags.string({
    description: 'The SSH private key (default: the ssh agent, else ~/.ssh/id_ed25519, id_ecdsa, id_rsa).',
  }),
  sudo: Flags.boolean({ description: 'Run the install through `sudo -n` there (for a user that is not root).', default: false }),
  prefix: Flags.string({ description: 'Where Node and sloth-agent go there.', default: DEFAULT_LAYOUT.prefix }),
  'unit-dir': Flags.string({ description: 'Where the systemd unit goes there.', default: DEFAULT_LAYOUT.unitDir }),
  'config-dir': Flags.string({
    description: "Where the agent's token goes there (a 0600 file).",
    default: DEFAULT_LAYOUT.configDir,
  }),
  'agent-data-dir': Flags.string({ description: "The agent's data directory there.", default: DEFAULT_LAYOUT.dataDir }),
};

/** Connect options for the host argument (an inventory host's settings, or an address with --key-file). */
export async function installTarget(
  host: string,
  flags: { inventory?: string | undefined; 'key-file'?: string | undefined; sudo: boolean },
): Promise<{ connect: ConnectOptions; sudo: boolean }> {
  if (flags.inventory !== undefined) {
    const entry = (await loadInventory(flags.inventory)).hosts.get(host);
    if (entry) {
      const connect = flags['key-file'] ? { ...entry.connect, key_file: flags['key-file'] } : entry.connect;
      return { connect, sudo: flags.sudo || entry.sudo };
    }
  }
  const parsed = parseSshUrl(host.startsWith('ssh://') ? host : `ssh://${host}`);
  if (!parsed) throw new SlothError('usage', `'${host}' is not a host: write [user@]host[:port]`);
  const connect = connectOptions.parse({ ...parsed, ...(flags['key-file'] ? { key_file: flags['key-file'] } : {}) });
  return { connect, sudo: flags.sudo };
}

/** The install layout from the flags. */
export function layoutOf(flags: {
  prefix: string;
  'unit-dir': string;
  'config-dir': string;
  'agent-data-dir': string;
}): InstallLayout {
  return { prefix: flags.prefix, unitDir: flags['unit-dir'], configDir: flags['config-dir'], dataDir: flags['agent-data-dir'] };
}

/** This machine's known_hosts for SSH (in the data directory). */
export const knownHostsOf = (dataDir: string | undefined) => join(dataDir ?? defaultDataDir(), 'known_hosts');
