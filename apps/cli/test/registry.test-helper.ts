// A real npm registry on 127.0.0.1 for the tests: verdaccio, in a process of its own, on a free port.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { REPO, waitForOutput } from './cli.test-helper.js';

/** Our packages: published to the local registry and served from it alone, never looked for upstream. */
const OURS = ['@sloth/*', 'sloth-runner', 'sloth-agent', 'sloth-plugin-*'];

export interface Registry {
  /** The registry's URL, ending in `/`. */
  url: string;
  /** An .npmrc with a token that may publish to the registry (it does not make it npm's registry). */
  npmrc: string;
  /** What verdaccio printed (its warnings and errors). */
  output(): string;
  /** Stops verdaccio, waiting until it has exited. */
  stop(): Promise<void>;
}

// Listens on port 0 and prints the port it got; exits when its parent goes (its stdin closes), so a test process that
// dies leaves no registry behind.
const SERVER = `
const { runServer } = require(process.argv[1]);
process.stdin.on('end', () => process.exit(0)).resume();
runServer(process.argv[2]).then((server) =>
  server.listen(0, '127.0.0.1', () => console.log('registry listening on port ' + server.address().port)),
);
`;

/**
 * Starts verdaccio with its storage and users in `dir`: our packages are local only, every other package is proxied
 * from the public npm registry (`upstream`). Registers a user and writes `dir/.npmrc` with its token.
 */
export async function startRegistry(dir: string, upstream = 'https://registry.npmjs.org/'): Promise<Registry> {
  mkdirSync(join(dir, 'storage'), { recursive: true });
  const local = { access: '$all', publish: '$authenticated' };
  const config = {
    storage: join(dir, 'storage'),
    auth: { htpasswd: { file: join(dir, 'htpasswd'), max_users: 1 } },
    // JWT tokens are checked by their signature; verdaccio's default (legacy) tokens cost a bcrypt check per request.
    security: { api: { jwt: { sign: { expiresIn: '1h' } } } },
    // One metadata fetch upstream per package for the whole test, not one every 2 minutes (the default); a passing
    // network error does not take the upstream registry off for 5 minutes (2 failures in a row, by default).
    uplinks: { npmjs: { url: upstream, maxage: '30m', timeout: '60s', max_fails: 10, fail_timeout: '5s' } },
    packages: {
      ...Object.fromEntries(OURS.map((pattern) => [pattern, local])),
      '**': { access: '$all', proxy: 'npmjs' },
    },
    web: { enable: false },
    log: { type: 'stdout', format: 'pretty', level: 'warn' },
  };
  const configFile = join(dir, 'config.yaml');
  writeFileSync(configFile, JSON.stringify(config, null, 2)); // JSON is YAML
  const main = createRequire(join(REPO, 'package.json')).resolve('verdaccio');
  const child: ChildProcess = spawn(process.execPath, ['-e', SERVER, main, configFile], {
    cwd: dir,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitForOutput(() => out, /registry listening on port \d+/, 30_000);
    const port = /registry listening on port (\d+)/.exec(out)?.[1] as string;
    const url = `http://127.0.0.1:${port}/`;
    const token = await addUser(url);
    const npmrc = join(dir, '.npmrc');
    writeFileSync(npmrc, `//127.0.0.1:${port}/:_authToken=${token}\n`);
    return { url, npmrc, output: () => out, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Registers a user (what `npm adduser` does) and returns its token. */
async function addUser(url: string): Promise<string> {
  const res = await fetch(`${url}-/user/org.couchdb.user:sloth`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'sloth', password: 'a-test-password', type: 'user', roles: [] }),
    signal: AbortSignal.timeout(15_000),
  });
  const body = (await res.json()) as { token?: string; error?: string };
  if (!res.ok || !body.token) throw new Error(`the registry refused to add a user: HTTP ${res.status} ${JSON.stringify(body)}`);
  return body.token;
}
