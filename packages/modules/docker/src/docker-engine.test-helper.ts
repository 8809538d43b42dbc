// A real Docker engine for tests: dockerd started on a private socket and data directory (no iptables, no default
// bridge, so it touches nothing of the machine's network), with a tiny busybox image imported from the machine's own
// busybox binary (no public registry is reachable), and a private registry on 127.0.0.1 for pull and push. Needs root,
// dockerd (Debian's docker.io), docker-registry and busybox (busybox-static).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { waitFor } from '@sloth/core/testing';

/** When a daemon ends: `exited` once it has, `gone` settles then. A binary that is not there ('error') ends too. */
function ending(child: ChildProcess): { exited: boolean; gone: Promise<void> } {
  const state = { exited: false, gone: Promise.resolve() };
  state.gone = new Promise<void>((resolve) => {
    const end = () => {
      state.exited = true;
      resolve();
    };
    child.on('exit', end);
    child.on('error', end);
  });
  return state;
}

/** The images every engine has: the same busybox under two tags, so a test can change a container's image. */
export const BUSYBOX = 'sloth-test/busybox:1';
export const BUSYBOX_NEXT = 'sloth-test/busybox:2';

export interface DockerEngine {
  /** DOCKER_HOST for the docker CLI (unix socket of this engine). */
  host: string;
  /** Runs the docker CLI against this engine and returns its stdout (throws on failure). */
  docker(...args: string[]): string;
  /** Removes every container, stops dockerd and its containerd, and deletes its data. */
  stop(): Promise<void>;
}

/** Starts a private dockerd and waits (bounded) until it answers, with the busybox images loaded. */
export async function startDockerEngine(): Promise<DockerEngine> {
  // Short: a unix socket path must fit in 108 bytes.
  const base = mkdtempSync('/tmp/sdk-');
  const host = `unix://${base}/sock`;
  const child: ChildProcess = spawn(
    'dockerd',
    [
      '--data-root',
      join(base, 'root'),
      '--exec-root',
      join(base, 'exec'),
      '--pidfile',
      join(base, 'pid'),
      '--host',
      host,
      '--iptables=false',
      '--ip-masq=false',
      '--bridge=none',
      '--shutdown-timeout',
      '1',
    ],
    { detached: true, stdio: 'ignore' },
  );
  const end = ending(child);
  // A test process that ends without stop() (a failed hook, a crash) must not leave the engine running.
  const orphaned = () => {
    if (!end.exited) process.kill(-(child.pid as number), 'SIGKILL');
  };
  process.once('exit', orphaned);
  const docker = (...args: string[]) =>
    execFileSync('docker', args, { env: { ...process.env, DOCKER_HOST: host }, encoding: 'utf8', timeout: 60_000 });
  const engine: DockerEngine = {
    host,
    docker,
    async stop() {
      if (!end.exited) {
        try {
          const ids = docker('ps', '-aq').split('\n').filter(Boolean);
          if (ids.length > 0) docker('rm', '-f', ...ids);
        } catch {
          // the engine may be failing already: stop it anyway
        }
        child.kill('SIGTERM');
        const stopped = await Promise.race([end.gone.then(() => true), new Promise((r) => setTimeout(() => r(false), 20_000))]);
        if (!stopped) process.kill(-(child.pid as number), 'SIGKILL');
      }
      process.off('exit', orphaned);
      rmSync(base, { recursive: true, force: true });
    },
  };
  try {
    await waitFor(
      () => {
        if (end.exited) throw new Error('dockerd exited at start (is docker.io installed, and are we root?)');
        try {
          docker('version', '--format', '{{.Server.Version}}');
          return true;
        } catch {
          return false;
        }
      },
      30_000,
      'dockerd to answer on its socket',
      200,
    );
    const rootfs = join(base, 'rootfs');
    mkdirSync(join(rootfs, 'bin'), { recursive: true });
    copyFileSync('/bin/busybox', join(rootfs, 'bin/busybox'));
    for (const tool of ['sh', 'sleep', 'echo', 'cat', 'true', 'false', 'ls']) symlinkSync('busybox', join(rootfs, 'bin', tool));
    execFileSync('tar', ['-C', rootfs, '-cf', join(base, 'rootfs.tar'), '.']);
    docker('import', join(base, 'rootfs.tar'), BUSYBOX);
    docker('tag', BUSYBOX, BUSYBOX_NEXT);
    return engine;
  } catch (err) {
    await engine.stop();
    throw err;
  }
}

/** A private image registry (Debian's docker-registry) on 127.0.0.1, which Docker talks to over plain HTTP. */
export interface TestRegistry {
  /** host:port, to prefix image names with. */
  address: string;
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (the registry takes no port 0). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts docker-registry on a free port with its storage in a temp directory, waiting (bounded) until it answers. */
export async function startRegistry(): Promise<TestRegistry> {
  const base = mkdtempSync('/tmp/sdr-');
  const address = `127.0.0.1:${await freePort()}`;
  writeFileSync(
    join(base, 'config.yml'),
    `version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: ${base}/data\nhttp:\n  addr: ${address}\n`,
  );
  const child = spawn('docker-registry', ['serve', join(base, 'config.yml')], { stdio: 'ignore' });
  const end = ending(child);
  const registry: TestRegistry = {
    address,
    async stop() {
      if (!end.exited) {
        child.kill('SIGTERM');
        const stopped = await Promise.race([end.gone.then(() => true), new Promise((r) => setTimeout(() => r(false), 10_000))]);
        if (!stopped) child.kill('SIGKILL');
      }
      rmSync(base, { recursive: true, force: true });
    },
  };
  try {
    await waitFor(
      async () => {
        if (end.exited) throw new Error('docker-registry exited at start (is the docker-registry package installed?)');
        return (await fetch(`http://${address}/v2/`).catch(() => undefined))?.ok === true;
      },
      30_000,
      'docker-registry to answer',
      100,
    );
    return registry;
  } catch (err) {
    await registry.stop();
    throw err;
  }
}
