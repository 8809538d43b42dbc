import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@sloth/core/testing';

/** Debian's openssh-server puts it here; sshd must be started by its absolute path (it re-executes itself). */
export const SSHD = '/usr/sbin/sshd';

/** Throwaway sshd instances on 127.0.0.1 accepting one fresh client key (for root, the test's user). */
export interface TestSshd {
  dir: string;
  ports: number[];
  /** The client's private key (ed25519, no passphrase) and its public half. */
  keyFile: string;
  publicKey: string;
  /** The host key file every instance serves (replace it and restart to change the host's key). */
  hostKeyFile: string;
  /** A known_hosts file for this test (empty at start). */
  knownHostsFile: string;
  /** How many connections each instance accepted so far (from its log). */
  connections(port: number): number;
  /** Stops one instance (its listener and every session), to simulate a host going away. */
  stop(port: number): Promise<void>;
  /** Starts an instance again on its port (after stop). */
  restart(port: number): Promise<void>;
  /** Stops everything and removes the directory. */
  close(): Promise<void>;
}

/** n free TCP ports on 127.0.0.1 (held open together so they are distinct). */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const s = createServer();
          s.once('error', reject);
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/** Makes an ed25519 key pair without a passphrase (or with one) at `file`. */
export function keygen(file: string, passphrase = ''): void {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', 'sloth-test', '-f', file], { timeout: 15_000 });
}

function config(dir: string, port: number, setEnv: Record<string, string>): string {
  return [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${join(dir, 'host_key')}`,
    `PidFile ${join(dir, `sshd-${port}.pid`)}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    'PermitRootLogin prohibit-password',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'StrictModes no',
    'UseDNS no',
    'MaxStartups 200',
    'MaxSessions 200',
    'Subsystem sftp /usr/lib/openssh/sftp-server',
    'LogLevel VERBOSE',
    // Debian's bash reads ~/.bashrc for commands sent over SSH unless it is a nested shell; this machine's root
    // .bashrc takes over a second (pyenv), which would be paid by every command a test sends.
    `SetEnv SHLVL=1${Object.entries(setEnv)
      .map(([k, v]) => ` ${k}=${v}`)
      .join('')}`,
    '',
  ].join('\n');
}

/**
 * Starts `n` sshd (`-D -e`: each stays our child and logs to us) and resolves once every one listens. `setEnv`: the
 * environment every session there gets (how a test configures its "host", e.g. apt's APT_CONFIG).
 */
export async function startSshd(n = 1, setEnv: Record<string, string> = {}): Promise<TestSshd> {
  if (!existsSync(SSHD)) throw new Error(`these tests need a real sshd at ${SSHD}: apt-get install -y openssh-server`);
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const dir = mkdtempSync(join(tmpdir(), 'sloth-sshd-'));
  keygen(join(dir, 'host_key'));
  keygen(join(dir, 'id'));
  copyFileSync(join(dir, 'id.pub'), join(dir, 'authorized_keys'));
  writeFileSync(join(dir, 'known_hosts'), '');
  const ports = await freePorts(n);
  const listeners = new Map<number, { child: ChildProcess; log: () => string }>();

  const start = async (port: number) => {
    const conf = join(dir, `sshd-${port}.conf`);
    writeFileSync(conf, config(dir, port, setEnv));
    const child = spawn(SSHD, ['-D', '-e', '-f', conf], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr?.on('data', (d) => {
      log += d;
    });
    listeners.set(port, { child, log: () => log });
    await waitFor(
      () => {
        if (child.exitCode !== null) throw new Error(`sshd on port ${port} exited at start: ${log.slice(-500)}`);
        return /Server listening on 127\.0\.0\.1 port/.test(log);
      },
      30_000,
      `sshd to listen on port ${port}`,
    );
  };
  const stop = async (port: number) => {
    const l = listeners.get(port);
    if (!l?.child.pid) return;
    for (const pid of descendants(l.child.pid)) kill(pid);
    kill(l.child.pid);
    await waitFor(() => l.child.exitCode !== null || l.child.signalCode !== null, 10_000, `sshd ${port} to stop`);
    listeners.delete(port);
  };
  try {
    for (const port of ports) await start(port);
  } catch (err) {
    for (const port of listeners.keys()) await stop(port);
    throw err;
  }
  return {
    dir,
    ports,
    keyFile: join(dir, 'id'),
    publicKey: readFileSync(join(dir, 'id.pub'), 'utf8'),
    hostKeyFile: join(dir, 'host_key'),
    knownHostsFile: join(dir, 'known_hosts'),
    connections: (port) =>
      (
        listeners
          .get(port)
          ?.log()
          .match(/Connection from 127\.0\.0\.1/g) ?? []
      ).length,
    stop,
    restart: start,
    async close() {
      for (const port of [...listeners.keys()]) await stop(port);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Every process below `root` (sshd's sessions fork their own children). */
function descendants(root: number): number[] {
  const parent = new Map<number, number>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      parent.set(Number(e), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // exited meanwhile
    }
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    for (const [child, p] of parent) {
      if (p === pid) {
        out.push(child);
        walk(child);
      }
    }
  };
  walk(root);
  return out;
}

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
