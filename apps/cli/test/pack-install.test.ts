// The real install path: every publishable package of the workspace packed by `pnpm pack` (as it would be
// published), installed with `npm install <tarballs>` into an empty directory: no workspace, our packages from the
// tarballs only, third-party ones from the npm registry. Packed and installed once for the file; it takes minutes.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, runCli } from './cli.test-helper.js';
import { fleetHome, startAgent, startMaster, withMaster } from './fleet.test-helper.js';
import { betterSqlitePrebuildMirror, npmEnv, packedManifest, packWorkspace, VERSION } from './pack.test-helper.js';

const exec = promisify(execFile);
const INSTALL_MS = 15 * 60_000;

let root: string;
let packs: string;
let tarballs: string[];
let project: string;
let env: NodeJS.ProcessEnv;
const bin = (name: string) => join(project, 'node_modules', name);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

beforeAll(
  async () => {
    root = mkdtempSync(join(tmpdir(), 'sloth-pack-'));
    packs = join(root, 'packs');
    project = join(root, 'project');
    mkdirSync(project);
    env = npmEnv(join(root, 'npm-cache'));
    tarballs = await packWorkspace(packs);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'a-user-project', private: true, type: 'module' }));
    const mirror = await betterSqlitePrebuildMirror(root);
    try {
      // @types/node: what a TypeScript user of @sloth/core installs next to it (the engine's types name Node's).
      await exec('npm', ['install', '--no-package-lock', ...tarballs, '@types/node@^20.19.0'], {
        cwd: project,
        env: { ...env, npm_config_better_sqlite3_binary_host: mirror.host },
        timeout: INSTALL_MS,
        killSignal: 'SIGKILL',
        maxBuffer: 1 << 26,
      });
    } finally {
      mirror.server.close();
    }
  },
  INSTALL_MS + 3 * 60_000,
);

describe('the packed packages, installed with npm into an empty directory', () => {
  it('every tarball is publishable: one version, no workspace paths, metadata a registry needs', async () => {
    const names: string[] = [];
    const check = async (tarball: string) => {
      const pkg = await packedManifest(tarball);
      const name = pkg.name as string;
      names.push(name);
      expect(pkg.private, name).toBeUndefined();
      expect([pkg.version, pkg.license, (pkg.engines as { node?: string })?.node], name).toEqual([VERSION, 'MIT', '>=20']);
      expect((pkg.repository as { url?: string })?.url, name).toMatch(/^git\+https:\/\//);
      for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
        for (const [dep, range] of Object.entries((pkg[field] ?? {}) as Record<string, string>)) {
          expect(range, `${name} ${field} ${dep}`).not.toMatch(/^(workspace|link|file|portal):/);
          if (dep.startsWith('@sloth/') || dep === 'sloth-agent') expect(range, `${name} → ${dep}`).toBe(VERSION);
        }
      }
      if (pkg.bin === undefined) {
        const main = (pkg.exports as Record<string, { types?: string }>)['.'];
        expect(main?.types ?? (pkg.exports as Record<string, string>)['./package.json'], name).toBeTruthy();
      }
      // What npm would publish: the same tarball, every file inside the package, nothing of the workspace.
      const { stdout } = await exec('npm', ['publish', '--dry-run', '--json', tarball], { env, timeout: 60_000 });
      expect(stdout, name).not.toMatch(/workspace:|\.\.\/|node_modules|\/src\//);
      const published = JSON.parse(stdout) as Record<string, { files: { path: string }[] }>;
      const files = published[name]?.files.map((f) => f.path) ?? [];
      expect(files, name).toContain('package.json');
      for (const file of files) expect(file, name).toMatch(/^(package\.json|README\.md|LICENSE|(dist|bin|lua|drizzle)\/.+)$/);
    };
    // Four at a time: each is mostly npm starting up.
    for (let i = 0; i < tarballs.length; i += 4) await Promise.all(tarballs.slice(i, i + 4).map(check));
    for (const wanted of ['sloth-runner', 'sloth-agent', '@sloth/core', '@sloth/lua', '@sloth/master', '@sloth/agent']) {
      expect(names).toContain(wanted);
    }
    expect(names.filter((n) => n.startsWith('@sloth/module-')).length).toBeGreaterThan(20);
  }, 300_000);

  it('the installed sloth-runner runs the hello workflow, and goroutines (files its bundle finds in the installed packages)', async () => {
    const cli = { bin: bin('sloth-runner/bin/run.js'), cwd: project };
    expect((await runCli(['--version'], cli)).stdout).toBe(`sloth-runner version ${VERSION}\n`);
    const hello = await runCli(['workflow', 'run', 'hello_world_workflow', '-f', join(REPO, 'examples/hello-world.sloth')], cli);
    expect(hello.stderr).toBe('');
    expect(hello.code).toBe(0);
    expect(hello.stdout).toContain("workflow 'hello_world_workflow' succeeded");
    // Goroutine threads load the Lua engine and each module from the packages' own files, not from the bundle.
    writeFileSync(
      join(project, 'fan-out.sloth'),
      [
        'local sum = task("sum"):command(function()',
        '  local ok, value = goroutine.await(goroutine.async(function() return fs.exists("/") and 21 * 2 end))',
        '  return ok, "sum", { value = value }',
        'end):build()',
        'workflow.define("fan_out", { tasks = { sum } })',
        '',
      ].join('\n'),
    );
    const fan = await runCli(['workflow', 'run', 'fan_out', '-f', join(project, 'fan-out.sloth'), '--output', 'json'], cli);
    expect(fan.stderr).toBe('');
    expect(fan.code).toBe(0);
    expect(JSON.parse(fan.stdout).tasks.sum.output).toEqual({ value: 42 });
  });

  it("TypeScript files importing @sloth/core type-check and run workflows (the README's and @sloth/core's examples)", async () => {
    const firstTs = (text: string) => (/```ts\n([\s\S]*?)```/.exec(text) as RegExpExecArray)[1] as string;
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    writeFileSync(join(project, 'nightly.ts'), firstTs(readme.slice(readme.indexOf('## Using the engine from TypeScript'))));
    // The package's own README, as npm shows it: read from the installed package.
    writeFileSync(join(project, 'core-readme.ts'), firstTs(readFileSync(bin('@sloth/core/README.md'), 'utf8')));
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, outDir: 'out' },
        files: ['nightly.ts', 'core-readme.ts'],
      }),
    );
    await exec(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], {
      cwd: project,
      timeout: 120_000,
    });
    const run = async (file: string) =>
      (await exec(process.execPath, [join(project, 'out', file)], { cwd: project, timeout: 30_000 })).stdout;
    expect(await run('nightly.js')).toContain("success [ 'fetch: success', 'report: success', 'lint: success' ]");
    expect(await run('core-readme.js')).toBe('success\n');
  });

  it('the installed sloth-agent connects to a master (the installed sloth-runner) and runs a command', async () => {
    const { home, tokenFile } = fleetHome();
    const master = await startMaster(home, tokenFile, 0, [], bin('sloth-runner/bin/run.js'));
    const agent = startAgent(home, 'packed-01', master.url, tokenFile, {
      standalone: true,
      program: bin('sloth-agent/bin/sloth-agent.js'),
      cwd: project,
    });
    await agent.waitFor(/registered with the master/);
    const cli = { bin: bin('sloth-runner/bin/run.js'), cwd: project };
    const run = await runCli(
      ['agent', 'exec', 'packed-01', 'echo "on the agent in $PWD"', '--workdir', '/tmp', ...withMaster(master.url, tokenFile)],
      cli,
    );
    expect(run.stderr).toBe('');
    expect([run.code, run.stdout]).toEqual([0, 'on the agent in /tmp\n']);
  });
});
