// Installing from a registry, as users of a private one do: a real npm registry (verdaccio) on 127.0.0.1 gets every
// publishable package by `npm publish` of the tarballs `pnpm pack` makes, and the example plugin; our packages are
// served from it alone, third-party ones proxied from the public npm registry. Then `npm install -g` of sloth-runner
// and sloth-agent, and `sloth-runner plugins install` of the plugin through npm set to that registry.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestServers } from '../../../packages/modules/http/src/test-server.test-helper.js';
import { type CliResult, collect, REPO, TEST_SLOTH_HOME, writeFiles } from './cli.test-helper.js';
import { fleetHome, startAgent, startMaster, withMaster } from './fleet.test-helper.js';
import { betterSqlitePrebuildMirror, npmEnv, packOne, packWorkspace, VERSION } from './pack.test-helper.js';
import { type Registry, startRegistry } from './registry.test-helper.js';

const exec = promisify(execFile);
const INSTALL_MS = 10 * 60_000;
const server = useTestServers();
const HELLO = ['workflow', 'run', 'hello_world_workflow', '-f', join(REPO, 'examples/hello-world.sloth')];

let root: string;
let registry: Registry | undefined;
let mirror: Server | undefined;
/** sloth-runner and sloth-agent, each installed with `npm install -g --prefix` into a directory of its own. */
let runner: string;
let agent: string;
/** The environment of the installed commands: npm set to the registry (`registry=` in the user's .npmrc). */
let cliEnv: NodeJS.ProcessEnv;

/** Runs an installed command as a shell would (its bin link, its shebang), killed if it outlives `timeoutMs`. */
function runInstalled(file: string, args: string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  const child = spawn(file, args, { cwd: options.cwd ?? root, env: cliEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  return collect(child, options.timeoutMs ?? 30_000);
}

afterAll(async () => {
  await registry?.stop();
  mirror?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

beforeAll(
  async () => {
    root = mkdtempSync(join(tmpdir(), 'sloth-registry-'));
    const [started, tarballs, plugin] = await Promise.all([
      startRegistry(join(root, 'registry')),
      packWorkspace(join(root, 'packs')),
      packOne(join(REPO, 'examples/plugins/slack'), join(root, 'plugin')),
    ]);
    registry = started;
    const url = started.url;
    // npm reads no .npmrc of the machine's user: installs go to the registry by --registry, publishing has its token.
    const cache = join(root, 'npm-cache');
    const noUserConfig = join(root, 'empty.npmrc');
    writeFileSync(noUserConfig, '');
    const publishEnv = { ...npmEnv(cache), npm_config_userconfig: started.npmrc };
    const queue = [...tarballs, plugin];
    // Four at a time: each is mostly npm starting up.
    await Promise.all(
      [1, 2, 3, 4].map(async () => {
        for (let t = queue.shift(); t !== undefined; t = queue.shift()) {
          await exec('npm', ['publish', t, '--registry', url], { env: publishEnv, timeout: 120_000 });
        }
      }),
    );
    const m = await betterSqlitePrebuildMirror(root);
    mirror = m.server;
    const installEnv = { ...npmEnv(cache), npm_config_userconfig: noUserConfig, npm_config_better_sqlite3_binary_host: m.host };
    runner = join(root, 'runner');
    agent = join(root, 'agent');
    const install = (prefix: string, name: string) =>
      exec('npm', ['install', '-g', '--prefix', prefix, name, '--registry', url], {
        env: installEnv,
        timeout: INSTALL_MS,
        killSignal: 'SIGKILL',
        maxBuffer: 1 << 26,
      });
    await Promise.all([install(runner, 'sloth-runner'), install(agent, 'sloth-agent')]);

    const userNpmrc = join(root, 'user.npmrc');
    writeFileSync(userNpmrc, `registry=${url}\n`); // what `npm config set registry URL` writes
    cliEnv = {
      ...npmEnv(cache),
      npm_config_userconfig: userNpmrc,
      // `#!/usr/bin/env node` finds this Node.
      PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`,
      CI: '1',
      NO_COLOR: '1',
      SLOTH_HOME: TEST_SLOTH_HOME,
      SLOTH_RUNNER_DATA_DIR: join(root, 'plugins/data'),
      SLOTH_RUNNER_CONFIG_DIR: join(root, 'plugins/config'),
      SLOTH_RUNNER_CACHE_DIR: join(root, 'plugins/cache'),
    };
  },
  INSTALL_MS + 5 * 60_000,
);

/** Where npm got each package of ours that `lockfile` lists (its `resolved`), by its path in node_modules. */
function resolvedOurs(lockfile: string): Record<string, string> {
  const { packages } = JSON.parse(readFileSync(lockfile, 'utf8')) as { packages: Record<string, { resolved?: string }> };
  const ours = Object.entries(packages).filter(([path]) => /node_modules\/(@sloth\/|sloth-)[^/]+$/.test(path));
  return Object.fromEntries(ours.map(([path, p]) => [path, p.resolved ?? '']));
}

describe('installing from an npm registry (verdaccio on 127.0.0.1)', () => {
  it('npm install -g sloth-runner: the command answers --version and runs the hello workflow', async () => {
    const bin = join(runner, 'bin/sloth-runner');
    const version = await runInstalled(bin, ['--version']);
    expect([version.code, version.stdout, version.stderr]).toEqual([0, `sloth-runner version ${VERSION}\n`, '']);
    const hello = await runInstalled(bin, HELLO);
    expect(hello.stderr).toBe('');
    expect(hello.code).toBe(0);
    expect(hello.stdout).toContain("workflow 'hello_world_workflow' succeeded");
  });

  it('npm install -g sloth-agent: --version, --help, and it connects to a master (the installed sloth-runner) and runs a command', async () => {
    const bin = join(agent, 'bin/sloth-agent');
    const version = await runInstalled(bin, ['--version']);
    expect([version.code, version.stdout]).toEqual([0, `sloth-agent version ${VERSION}\n`]);
    const help = await runInstalled(bin, ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: sloth-agent --name NAME --master HOST:PORT/);

    const { home, tokenFile } = fleetHome();
    const master = await startMaster(home, tokenFile, 0, [], join(runner, 'bin/sloth-runner'));
    const a = startAgent(home, 'from-registry', master.url, tokenFile, { standalone: true, program: bin, cwd: root });
    await a.waitFor(/registered with the master/);
    const run = await runInstalled(join(runner, 'bin/sloth-runner'), [
      'agent',
      'exec',
      'from-registry',
      'echo "on the agent in $PWD"',
      '--workdir',
      '/tmp',
      ...withMaster(master.url, tokenFile),
    ]);
    expect(run.stderr).toBe('');
    expect([run.code, run.stdout]).toEqual([0, 'on the agent in /tmp\n']);
  });

  it('plugins install NAME with npm set to the registry: listed, its module runs in a workflow; uninstalled, gone', async () => {
    const bin = join(runner, 'bin/sloth-runner');
    const installed = await runInstalled(bin, ['plugins', 'install', 'sloth-plugin-slack'], { timeoutMs: 180_000 });
    expect(installed.stderr).not.toMatch(/error|warn/i);
    expect(installed.code).toBe(0);
    // The plugin, and the @sloth/core npm installed beside it (its peer dependency), came from the registry.
    const data = cliEnv.SLOTH_RUNNER_DATA_DIR as string;
    const resolved = resolvedOurs(join(data, 'package-lock.json'));
    expect(Object.keys(resolved).sort()).toEqual(['node_modules/@sloth/core', 'node_modules/sloth-plugin-slack']);
    for (const [path, from] of Object.entries(resolved)) expect(from, path).toMatch(new RegExp(`^${registry?.url}`));

    const list = JSON.parse((await runInstalled(bin, ['plugins', 'list', '--format', 'json'])).stdout);
    expect(list).toEqual([
      expect.objectContaining({ name: 'sloth-plugin-slack', version: '0.1.0', type: 'user', modules: ['slack'] }),
    ]);
    expect((await runInstalled(bin, ['modules', 'list'])).stdout).toMatch(/slack\s+│ Posts messages to Slack/);

    const s = await server((_req, res) => res.end('ok'));
    const dir = writeFiles({
      'notify.sloth': `task("notify"):command(function()
  log.info("posted: " .. slack.send({ webhook = values.hook, text = "installed from a registry" }).status)
end):build()
`,
    });
    const run = await runInstalled(bin, ['workflow', 'run', '-f', 'notify.sloth', '--set', `hook=${s.url}/hook`], { cwd: dir });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('[notify] posted: 200');
    expect(s.received.map((r) => JSON.parse(r.body))).toEqual([{ text: 'installed from a registry' }]);

    const removed = await runInstalled(bin, ['plugins', 'uninstall', 'sloth-plugin-slack'], { timeoutMs: 60_000 });
    expect(removed.code).toBe(0);
    expect((await runInstalled(bin, ['plugins', 'list'])).stdout).toContain('no plugins installed');
    const gone = await runInstalled(bin, ['workflow', 'run', '-f', 'notify.sloth', '--set', `hook=${s.url}/hook`], { cwd: dir });
    expect(gone.code).toBe(2);
    expect(gone.stderr).toContain("error: notify.sloth:2: slack.send: 'slack' is not defined");
    expect(s.received).toHaveLength(1);
  });

  it('plugins install of a name the registry does not have: an error saying where plugins come from, no stack trace; the CLI still works', async () => {
    const bin = join(runner, 'bin/sloth-runner');
    const r = await runInstalled(bin, ['plugins', 'install', 'sloth-plugin-not-published'], { timeoutMs: 60_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "error: npm found no package 'sloth-plugin-not-published' in its registry (or could not reach the registry)\n  hint: check the name: plugins come from the registry npm is set to (`npm config get registry`",
    );
    expect(r.stderr).not.toMatch(/\n\s+at |›/);
    const list = await runInstalled(bin, ['plugins', 'list', '--format', 'json']);
    expect([list.code, JSON.parse(list.stdout)]).toEqual([0, []]);
    const hello = await runInstalled(bin, HELLO);
    expect(hello.code).toBe(0);
  });
});
