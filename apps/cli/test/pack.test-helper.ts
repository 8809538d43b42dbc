// Packing the workspace as it would be published, and running npm on the tarballs as a user would: shared by the
// tests that install them (from the tarballs, and from a registry they are published to).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { REPO } from './cli.test-helper.js';

const exec = promisify(execFile);

/** The version every publishable package has. */
export const VERSION = (JSON.parse(readFileSync(join(REPO, 'packages/core/package.json'), 'utf8')) as { version: string })
  .version;

/** npm's environment: without the npm_/pnpm settings of a `pnpm test` run, with a cache of its own. */
export function npmEnv(cache: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(npm_|pnpm_)/i.test(k)) env[k] = v;
  env.npm_config_cache = cache;
  env.npm_config_audit = 'false';
  env.npm_config_fund = 'false';
  env.npm_config_update_notifier = 'false';
  // better-sqlite3 compiles against this Node's headers: where Node ships them, node-gyp need not download them.
  const prefix = dirname(dirname(process.execPath));
  if (existsSync(join(prefix, 'include', 'node', 'node.h'))) env.npm_config_nodedir = prefix;
  return env;
}

/** `pnpm pack` of the package in `dir` into `dest` (made if missing); the tarball's path. */
export async function packOne(dir: string, dest: string): Promise<string> {
  mkdirSync(dest, { recursive: true });
  const before = new Set(readdirSync(dest));
  await exec('pnpm', ['pack', '--pack-destination', dest], { cwd: dir, timeout: 60_000 });
  const made = readdirSync(dest).filter((f) => f.endsWith('.tgz') && !before.has(f));
  if (made.length !== 1) throw new Error(`pnpm pack in ${dir} made ${made.length} tarballs in ${dest}`);
  return join(dest, made[0] as string);
}

/**
 * Every publishable package of the workspace packed by `pnpm pack` into `dest` (pnpm writes the exact versions of our
 * packages in place of `workspace:*`, as `pnpm publish` would); the tarballs' paths.
 */
export async function packWorkspace(dest: string): Promise<string[]> {
  mkdirSync(dest, { recursive: true });
  await exec(
    'pnpm',
    ['-r', '--filter', './apps/*', '--filter', './packages/**', '--filter', '!sloth-agent', 'pack', '--pack-destination', dest],
    { cwd: REPO, timeout: 120_000, maxBuffer: 1 << 26 },
  );
  const tarballs = readdirSync(dest)
    .filter((f) => f.endsWith('.tgz'))
    .map((f) => join(dest, f));
  // `sloth-agent` and `@sloth/agent` pack to the same file name: the app goes to a folder of its own.
  return [...tarballs, await packOne(join(REPO, 'apps/agent'), join(dest, 'agent'))];
}

/** The package.json packed in a tarball. */
export async function packedManifest(tarball: string): Promise<Record<string, unknown>> {
  const { stdout } = await exec('tar', ['-xzOf', tarball, 'package/package.json'], { maxBuffer: 1 << 24 });
  return JSON.parse(stdout) as Record<string, unknown>;
}

/**
 * better-sqlite3's install script downloads the binary built for this Node from the project's GitHub releases, and
 * compiles it (minutes on this machine) when it cannot: GitHub is not reachable here. This serves the same file, made
 * from the workspace's own build of the same version, where its install script looks for a mirror of those releases
 * (npm_config_better_sqlite3_binary_host): the install path stays the one users take. Another version (once the
 * registry has a newer 12.x) gets a 404 and compiles, as before.
 */
export async function betterSqlitePrebuildMirror(dir: string): Promise<{ server: Server; host: string }> {
  const pkgDir = dirname(createRequire(join(REPO, 'packages/store-sqlite/package.json')).resolve('better-sqlite3/package.json'));
  const { version } = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version: string };
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  const tarball = join(dir, name);
  await exec('tar', ['-czf', tarball, '-C', pkgDir, 'build/Release/better_sqlite3.node']);
  const server = createServer((req, res) => {
    if (req.url === `/v${version}/${name}`) res.end(readFileSync(tarball));
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { server, host: `http://127.0.0.1:${port}` };
}
