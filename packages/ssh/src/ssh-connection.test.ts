import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { SlothError } from '@sloth/core';
import { processAlive, waitFor, waitForPid } from '@sloth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectOptions } from './connect-options.js';
import { ConnectionPool } from './connection-pool.js';
import { fingerprint, KnownHosts } from './known-hosts.js';
import { SshConnection } from './ssh-connection.js';
import { keygen, startSshd, type TestSshd } from './sshd.test-helper.js';

let sshd: TestSshd;
let port: number;
const opts = (extra: Record<string, unknown> = {}) =>
  connectOptions.parse({ host: '127.0.0.1', port, user: 'root', key_file: sshd.keyFile, ...extra });
const known = () => new KnownHosts(sshd.knownHostsFile);

beforeAll(async () => {
  sshd = await startSshd(1);
  port = sshd.ports[0] as number;
});
afterAll(async () => {
  await sshd?.close();
});

describe('SshConnection against a real sshd', () => {
  it('runs a command: exit code, stdout, stderr, stdin, lines as they come', async () => {
    const c = await SshConnection.open(opts(), known());
    try {
      const lines: string[] = [];
      const r = await c.exec('read x; echo "got $x"; echo oops >&2; exit 3', {
        stdin: 'hello\n',
        onLine: (stream, line) => lines.push(`${stream}:${line}`),
      });
      expect(r.exitCode).toBe(3);
      expect(r.stdout).toBe('got hello\n');
      expect(r.stderr).toBe('oops\n');
      expect(lines).toEqual(expect.arrayContaining(['stdout:got hello', 'stderr:oops']));
    } finally {
      c.close();
    }
  });

  it('kills a command that outlives its timeout, on the remote side too', async () => {
    const c = await SshConnection.open(opts(), known());
    const pidFile = join(sshd.dir, `sleeper-${randomBytes(3).toString('hex')}`);
    try {
      const run = c.exec(`sh -c 'echo $$ > ${pidFile}; exec sleep 300' & wait`, { timeoutMs: 500 });
      const pid = await waitForPid(pidFile, 'the remote sleep to start');
      const r = await run;
      expect(r.timedOut).toBe(true);
      expect(r.exitCode).toBeNull();
      await waitFor(() => !processAlive(pid), 10_000, 'the remote sleep to be killed');
    } finally {
      c.close();
    }
  });

  it('stops a command when its task is cancelled', async () => {
    const c = await SshConnection.open(opts(), known());
    const pidFile = join(sshd.dir, `cancelled-${randomBytes(3).toString('hex')}`);
    const controller = new AbortController();
    try {
      const run = c.exec(`echo $$ > ${pidFile}; exec sleep 300`, { signal: controller.signal });
      const pid = await waitForPid(pidFile, 'the remote sleep to start');
      controller.abort();
      expect((await run).aborted).toBe(true);
      await waitFor(() => !processAlive(pid), 10_000, 'the remote sleep to be killed');
    } finally {
      c.close();
    }
  });

  it('uploads and downloads byte for byte (a large binary file), with the mode asked', async () => {
    const c = await SshConnection.open(opts(), known());
    try {
      const data = randomBytes(12 * 1024 * 1024 + 7);
      const local = join(sshd.dir, 'big.bin');
      writeFileSync(local, data);
      const remote = join(sshd.dir, 'remote-big.bin');
      await c.upload(local, remote, 0o640);
      const sum = (b: Buffer) => createHash('sha256').update(b).digest('hex');
      expect(sum(readFileSync(remote))).toBe(sum(data));
      const r = await c.exec(`stat -c %a ${remote}`);
      expect(r.stdout.trim()).toBe('640');
      const back = join(sshd.dir, 'back.bin');
      await c.download(remote, back);
      expect(sum(readFileSync(back))).toBe(sum(data));
      const missing = await c.download('/nonexistent/file', back).catch((e: unknown) => e);
      expect(missing).toBeInstanceOf(SlothError);
      expect((missing as Error).message).toMatch(/download of \/nonexistent\/file .* failed/);
    } finally {
      c.close();
    }
  });

  it('refuses a key the host does not accept, naming what was tried', async () => {
    const other = join(sshd.dir, `other-${randomBytes(3).toString('hex')}`);
    keygen(other);
    const err = await SshConnection.open(opts({ key_file: other }), known()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SlothError);
    expect((err as SlothError).code).toBe('unauthenticated');
    expect((err as SlothError).message).toBe(`ssh root@127.0.0.1:${port}: authentication failed (tried key_file ${other})`);
  });

  it('needs the passphrase of an encrypted key, and never shows it', async () => {
    const locked = join(sshd.dir, `locked-${randomBytes(3).toString('hex')}`);
    keygen(locked, 'correct horse');
    const err = (await SshConnection.open(opts({ key_file: locked }), known()).catch((e: unknown) => e)) as SlothError;
    expect(err.code).toBe('invalid_argument');
    expect(err.hint).toMatch(/passphrase/);
    const wrong = (await SshConnection.open(opts({ key_file: locked, passphrase: 'wrong horse' }), known()).catch(
      (e: unknown) => e,
    )) as SlothError;
    expect(wrong).toBeInstanceOf(SlothError);
    expect(`${wrong.message} ${wrong.hint}`).not.toContain('wrong horse');
  });

  it('fails within its timeout on a host that accepts TCP but never speaks SSH', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const silentPort = (silent.address() as { port: number }).port;
    try {
      const err = (await SshConnection.open(
        connectOptions.parse({ host: '127.0.0.1', port: silentPort, user: 'root', key_file: sshd.keyFile, timeout: '500ms' }),
        known(),
      ).catch((e: unknown) => e)) as SlothError;
      expect(err.code).toBe('timeout');
      expect(err.message).toBe(`ssh root@127.0.0.1:${silentPort}: no SSH handshake within 500 ms`);
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });

  it('says the connection was lost when the host goes away mid-command', async () => {
    const lone = await startSshd(1);
    const lonePort = lone.ports[0] as number;
    try {
      const c = await SshConnection.open(
        connectOptions.parse({ host: '127.0.0.1', port: lonePort, user: 'root', key_file: lone.keyFile }),
        new KnownHosts(lone.knownHostsFile),
      );
      const pidFile = join(lone.dir, 'lost');
      const run = c.exec(`echo $$ > ${pidFile}; exec sleep 300`).catch((e: unknown) => e);
      await waitForPid(pidFile, 'the remote sleep to start');
      await lone.stop(lonePort);
      const err = (await run) as SlothError;
      expect(err.code).toBe('unavailable');
      expect(err.message).toBe(`ssh root@127.0.0.1:${lonePort}: the connection was lost while a command was running`);
      expect(c.usable).toBe(false);
    } finally {
      await lone.close();
    }
  });
});

describe('keys held by an ssh agent', () => {
  it('logs in with a key from the ssh agent (agent = its socket), never reading the key file', async () => {
    const socket = join(sshd.dir, `agent-${randomBytes(3).toString('hex')}.sock`);
    const agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
    try {
      await waitFor(() => existsSync(socket), 10_000, 'ssh-agent to listen');
      execFileSync('ssh-add', [sshd.keyFile], { env: { ...process.env, SSH_AUTH_SOCK: socket }, stdio: 'pipe' });
      const c = await SshConnection.open(connectOptions.parse({ host: '127.0.0.1', port, user: 'root', agent: socket }), known());
      try {
        expect((await c.exec('echo via-agent')).stdout).toBe('via-agent\n');
      } finally {
        c.close();
      }
    } finally {
      agent.kill('SIGKILL');
    }
  });
});

describe('through a jump host', () => {
  it('reaches a host through another one (its port forwarded over the first connection)', async () => {
    const target = await startSshd(1);
    const targetPort = target.ports[0] as number;
    try {
      const c = await SshConnection.open(
        connectOptions.parse({
          host: '127.0.0.1',
          port: targetPort,
          user: 'root',
          key_file: target.keyFile,
          jump: { host: '127.0.0.1', port, user: 'root', key_file: sshd.keyFile },
        }),
        new KnownHosts(join(target.dir, 'kh')),
      );
      try {
        expect((await c.exec('echo through')).stdout).toBe('through\n');
        // The target saw a connection from its own machine (forwarded by the jump host's sshd).
        expect(target.connections(targetPort)).toBe(1);
      } finally {
        c.close();
      }
      // Both hosts' keys were recorded.
      expect(readFileSync(join(target.dir, 'kh'), 'utf8').trim().split('\n')).toHaveLength(2);
    } finally {
      await target.close();
    }
  });
});

describe('host keys', () => {
  it('records a new host (accept-new), then refuses a changed key naming both fingerprints', async () => {
    const lone = await startSshd(1);
    const lonePort = lone.ports[0] as number;
    const file = join(lone.dir, 'kh');
    const o = connectOptions.parse({ host: '127.0.0.1', port: lonePort, user: 'root', key_file: lone.keyFile });
    try {
      (await SshConnection.open(o, new KnownHosts(file))).close();
      const line = readFileSync(file, 'utf8');
      expect(line).toMatch(new RegExp(`^\\[127\\.0\\.0\\.1\\]:${lonePort} ssh-ed25519 \\S+\\n$`));
      const oldFp = fingerprint(Buffer.from(line.trim().split(' ')[2] as string, 'base64'));
      // ssh-keygen prints the same fingerprint for the host key sshd serves.
      expect(readFileSync(`${lone.hostKeyFile}.pub`, 'utf8')).toContain(line.trim().split(' ')[2]);

      await lone.stop(lonePort);
      rmSync(lone.hostKeyFile);
      rmSync(`${lone.hostKeyFile}.pub`);
      keygen(lone.hostKeyFile);
      await lone.restart(lonePort);
      const newBlob = Buffer.from(readFileSync(`${lone.hostKeyFile}.pub`, 'utf8').split(' ')[1] as string, 'base64');
      const err = (await SshConnection.open(o, new KnownHosts(file)).catch((e: unknown) => e)) as SlothError;
      expect(err.code).toBe('unauthenticated');
      expect(err.message).toBe(
        `the host key of [127.0.0.1]:${lonePort} changed: ${file} has ssh-ed25519 ${oldFp}, the host offered ssh-ed25519 ${fingerprint(newBlob)}; refusing to connect`,
      );
      expect(readFileSync(file, 'utf8')).toBe(line);
    } finally {
      await lone.close();
    }
  });

  it('refuses an unknown host in strict mode, and reads hashed known_hosts lines', async () => {
    const file = join(sshd.dir, `strict-${randomBytes(3).toString('hex')}`);
    writeFileSync(file, '');
    const err = (await SshConnection.open(opts({ host_key_check: 'strict' }), new KnownHosts(file)).catch(
      (e: unknown) => e,
    )) as SlothError;
    expect(err.message).toMatch(new RegExp(`^\\[127\\.0\\.0\\.1\\]:${port} is not in ${file} .* host_key_check is strict$`));
    // A hashed entry, as ssh-keyscan -H writes it, is accepted in strict mode.
    const pub = readFileSync(`${sshd.hostKeyFile}.pub`, 'utf8').split(' ');
    writeFileSync(`${file}.plain`, `[127.0.0.1]:${port} ${pub[0]} ${pub[1]}\n`);
    execFileSync('ssh-keygen', ['-H', '-f', `${file}.plain`], { stdio: 'ignore' });
    const hashed = readFileSync(`${file}.plain`, 'utf8');
    expect(hashed.startsWith('|1|')).toBe(true);
    (await SshConnection.open(opts({ host_key_check: 'strict' }), new KnownHosts(`${file}.plain`))).close();
  });
});

describe('many short commands at once', () => {
  it('gets every exit status, also when a reply, its output and its end arrive together (8 hosts x 8 at once)', async () => {
    const hosts = await startSshd(8);
    const pool = new ConnectionPool(hosts.knownHostsFile);
    try {
      for (let round = 0; round < 2; round++) {
        const results = await Promise.all(
          hosts.ports.flatMap((p) =>
            Array.from({ length: 8 }, async (_, i) => {
              const c = await pool.get(
                connectOptions.parse({ host: '127.0.0.1', port: p, user: 'root', key_file: hosts.keyFile }),
              );
              return c.exec(`stat -c '%F' -- /tmp; echo ${i}`);
            }),
          ),
        );
        expect(results.filter((r) => r.exitCode !== 0)).toEqual([]);
        expect(results.every((r, k) => r.stdout === `directory\n${k % 8}\n`)).toBe(true);
      }
    } finally {
      await pool.close();
      await hosts.close();
    }
  });
});

describe('ConnectionPool', () => {
  it('shares one TCP connection among many concurrent commands, and opens a new one after close', async () => {
    const lone = await startSshd(1);
    const lonePort = lone.ports[0] as number;
    const pool = new ConnectionPool(lone.knownHostsFile);
    const o = connectOptions.parse({ host: '127.0.0.1', port: lonePort, user: 'root', key_file: lone.keyFile });
    try {
      const results = await Promise.all(Array.from({ length: 20 }, async (_, i) => (await pool.get(o)).exec(`echo ${i}`)));
      expect(results.map((r) => r.stdout.trim())).toEqual(Array.from({ length: 20 }, (_, i) => String(i)));
      expect(pool.opened).toBe(1);
      expect(lone.connections(lonePort)).toBe(1);
      await pool.close();
      expect((await (await pool.get(o)).exec('echo again')).stdout).toBe('again\n');
      expect(pool.opened).toBe(2);
    } finally {
      await pool.close();
      await lone.close();
    }
  });
});
