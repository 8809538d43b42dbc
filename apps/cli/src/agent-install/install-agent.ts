import { posix } from 'node:path';
import { type Host, SlothError, shellQuote } from '@sloth/core';
import { ConnectionPool, type ConnectOptions, describeTarget, sshHost } from '@sloth/ssh';
import type { AgentPayload } from './agent-payload.js';

/** Where an installed agent lives on its host (the defaults are the usual places; tests point them elsewhere). */
export interface InstallLayout {
  /** Releases of Node + sloth-agent, and `current`. */
  prefix: string;
  unitDir: string;
  configDir: string;
  /** The agent's data directory there. */
  dataDir: string;
}

export const DEFAULT_LAYOUT: InstallLayout = {
  prefix: '/opt/sloth-runner',
  unitDir: '/etc/systemd/system',
  configDir: '/etc/sloth-runner',
  dataDir: '/var/lib/sloth-runner',
};

/** What to install, where, and how to reach the host. */
export interface InstallRequest {
  connect: ConnectOptions;
  sudo: boolean;
  name: string;
  master: string;
  token: string;
  /** A CA certificate's content, for a master with TLS. */
  ca?: string | undefined;
  labels: string[];
  layout: InstallLayout;
  knownHostsFile: string;
  signal: AbortSignal;
  log: (line: string) => void;
}

/** What an install did and how the agent runs. */
export interface InstallOutcome {
  changed: boolean;
  /** Another release was current before (or none): a running agent runs the new one once restarted. */
  upgraded: boolean;
  /** False: the host has no systemd; `command` is how to run the agent by hand. */
  systemd: boolean;
  unitFile: string;
  command: string;
}

const unitName = (name: string) => `sloth-agent-${name}.service`;

/** The host over a pool of its own (an install is one command), and a way to close it. */
async function reach(request: Pick<InstallRequest, 'connect' | 'sudo' | 'knownHostsFile' | 'signal'>) {
  const pool = new ConnectionPool(request.knownHostsFile);
  const connection = await pool.get(request.connect, request.signal);
  const host = sshHost(
    describeTarget(request.connect),
    (signal) => pool.get(request.connect, signal),
    { workdir: '/', env: {}, user: undefined, signal: request.signal, checkMode: false },
    { sudo: request.sudo },
  );
  return { pool, connection, host };
}

/** Runs a script there that must succeed. */
async function must(host: Host, script: string, what: string): Promise<string> {
  const r = await host.run(script);
  if (r.exitCode !== 0) {
    throw new SlothError(
      'task_failed',
      `agent install on ${host.name}: ${what} failed: ${(r.stderr.trim() || r.stdout.trim()).slice(-500)}`,
      {
        hint: 'the user needs root there, or passwordless sudo (--sudo)',
      },
    );
  }
  return r.stdout;
}

/** Writes a file there unless it already holds exactly that; true when it wrote. */
async function ensureFile(host: Host, path: string, content: string, mode: number): Promise<boolean> {
  const current = await host.readFile(path).then(
    (b) => b.toString('utf8'),
    () => undefined,
  );
  const st = current === undefined ? undefined : await host.stat(path);
  if (current === content && st?.mode === mode) return false;
  await host.writeFile(path, content, { makeParents: true, mode, uid: 0, gid: 0 });
  return true;
}

/** The command that runs the agent, as its unit starts it. */
export function agentCommand(request: Pick<InstallRequest, 'name' | 'master' | 'ca' | 'labels' | 'layout'>): string[] {
  const { prefix, configDir, dataDir } = request.layout;
  const argv = [
    posix.join(prefix, 'current', 'node'),
    posix.join(prefix, 'current', 'agent', 'bin', 'sloth-agent.js'),
    '--name',
    request.name,
    '--master',
    request.master,
    '--token-file',
    posix.join(configDir, `agent-${request.name}.token`),
    '--data-dir',
    dataDir,
  ];
  if (request.ca !== undefined) argv.push('--ca', posix.join(configDir, `agent-${request.name}-ca.pem`));
  for (const label of request.labels) argv.push('--labels', label);
  return argv;
}

function unitText(request: InstallRequest): string {
  // systemd's own quoting: words with spaces or quotes in double quotes.
  const quoted = agentCommand(request).map((w) =>
    /^[\w@%+=:,./-]+$/.test(w) ? w : `"${w.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`,
  );
  return `# Written by sloth-runner agent install; re-run it to change this agent.
[Unit]
Description=Sloth Runner agent ${request.name}
After=network-online.target
Wants=network-online.target

[Service]
ExecStart=${quoted.join(' ')}
Restart=always
RestartSec=5
KillMode=mixed

[Install]
WantedBy=multi-user.target
`;
}

/**
 * Installs (or upgrades) the agent on a host over SSH: this machine's Node and sloth-agent unpacked under the prefix
 * (sent only when that exact release is not there yet), its token in a 0600 file, a systemd unit that restarts it;
 * then enables and (re)starts it. Idempotent: what is already as wanted is left alone.
 */
export async function installAgent(request: InstallRequest, payload: AgentPayload): Promise<InstallOutcome> {
  const { pool, connection, host } = await reach(request);
  const { prefix, unitDir, configDir, dataDir } = request.layout;
  try {
    const facts = (
      await must(host, 'uname -sm; [ -d /run/systemd/system ] && echo systemd || echo none', 'reading the host')
    ).split('\n');
    const local = `Linux ${process.arch === 'x64' ? 'x86_64' : process.arch === 'arm64' ? 'aarch64' : process.arch}`;
    if (process.platform !== 'linux' || facts[0] !== local) {
      throw new SlothError(
        'unsupported',
        `agent install: ${host.name} is ${facts[0]}, this machine ${process.platform} ${process.arch}`,
        {
          hint: "it sends this machine's Node, which runs only on the same OS and CPU: install sloth-agent there by hand",
        },
      );
    }
    const systemd = facts[1] === 'systemd';
    let changed = false;
    const release = posix.join(prefix, 'releases', payload.id);
    if (!(await host.stat(posix.join(release, '.complete')))) {
      request.log(`sending Node and sloth-agent (release ${payload.id}) to ${host.name}`);
      const archive = await payload.archive(request.signal);
      const remoteArchive = `/tmp/sloth-agent-${payload.id}-${process.pid}.tar.gz`;
      await connection.upload(archive, remoteArchive, 0o600);
      const r = shellQuote(release);
      await must(
        host,
        `rm -rf ${r} && mkdir -p ${r} && tar -xzf ${shellQuote(remoteArchive)} -C ${r} && touch ${r}/.complete; s=$?; rm -f ${shellQuote(remoteArchive)}; exit $s`,
        'unpacking the agent',
      );
      changed = true;
    }
    const current = posix.join(prefix, 'current');
    const pointed = await host.readlink(current).catch(() => undefined);
    const upgraded = pointed !== posix.join('releases', payload.id);
    if (upgraded) {
      await host.symlink(posix.join('releases', payload.id), current);
      changed = true;
    }
    if (await ensureFile(host, posix.join(configDir, `agent-${request.name}.token`), `${request.token}\n`, 0o600)) changed = true;
    if (
      request.ca !== undefined &&
      (await ensureFile(host, posix.join(configDir, `agent-${request.name}-ca.pem`), request.ca, 0o644))
    ) {
      changed = true;
    }
    await must(host, `mkdir -p ${shellQuote(dataDir)}`, 'making the data directory');
    const unitFile = posix.join(unitDir, unitName(request.name));
    const unitChanged = await ensureFile(host, unitFile, unitText(request), 0o644);
    changed ||= unitChanged;
    // Old releases go once the new one is current.
    await host.run(
      `cd ${shellQuote(posix.join(prefix, 'releases'))} && for d in *; do [ "$d" = ${shellQuote(payload.id)} ] || rm -rf -- "$d"; done`,
    );
    const command = agentCommand(request).map(shellQuote).join(' ');
    if (systemd) {
      const unit = shellQuote(unitName(request.name));
      if (unitChanged) await must(host, 'systemctl daemon-reload', 'systemctl daemon-reload');
      await must(
        host,
        `systemctl enable ${unit} >/dev/null 2>&1 && systemctl ${changed ? 'restart' : 'start'} ${unit}`,
        'starting the unit',
      );
    }
    return { changed, upgraded, systemd, unitFile, command };
  } finally {
    await pool.close();
  }
}

/** Stops and removes an installed agent (its unit, token and, when no other agent is installed there, the prefix). */
export async function uninstallAgent(
  request: Pick<InstallRequest, 'connect' | 'sudo' | 'name' | 'layout' | 'knownHostsFile' | 'signal' | 'log'>,
): Promise<{ changed: boolean }> {
  const { pool, host } = await reach(request);
  const { prefix, unitDir, configDir, dataDir } = request.layout;
  try {
    const unitFile = posix.join(unitDir, unitName(request.name));
    const known = await host.stat(unitFile);
    const systemd = (await host.run('[ -d /run/systemd/system ]')).exitCode === 0;
    if (systemd && known) await host.run(`systemctl disable --now ${shellQuote(unitName(request.name))}`);
    if (!systemd) {
      // Started by hand as the unit would: its pid is in the data directory.
      const pidFile = posix.join(dataDir, 'agents', `${encodeURIComponent(request.name)}.pid`);
      await host.run(`p=$(cat ${shellQuote(pidFile)} 2>/dev/null) && [ -n "$p" ] && kill "$p" 2>/dev/null; true`);
    }
    const files = [
      unitFile,
      posix.join(configDir, `agent-${request.name}.token`),
      posix.join(configDir, `agent-${request.name}-ca.pem`),
    ];
    let changed = false;
    for (const f of files) {
      if (await host.stat(f)) {
        await host.remove(f);
        changed = true;
      }
    }
    if (systemd && known) await host.run('systemctl daemon-reload');
    const others = (await host.run(`ls ${shellQuote(unitDir)} 2>/dev/null | grep '^sloth-agent-.*\\.service$'`)).stdout.trim();
    if (others === '' && (await host.stat(prefix))) {
      await host.remove(prefix, { recursive: true });
      changed = true;
    }
    return { changed };
  } finally {
    await pool.close();
  }
}
