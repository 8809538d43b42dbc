// @sloth/core is the library users import to define and run workflows: it must install from its tarball alone, with
// no C++ toolchain (no native build among its dependencies), and run a workflow with nothing else installed.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const CORE = fileURLToPath(new URL('..', import.meta.url));
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Scripts npm runs at install time; a package with a binding.gyp gets `node-gyp rebuild` even without one. */
const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall'];

/** Every installed package directory under node_modules (scoped ones included, nested ones too). */
function installedPackages(nodeModules: string): string[] {
  if (!existsSync(nodeModules)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(nodeModules)) {
    if (entry.startsWith('.')) continue;
    const dirs = entry.startsWith('@') ? readdirSync(join(nodeModules, entry)).map((n) => join(entry, n)) : [entry];
    for (const d of dirs) {
      const dir = join(nodeModules, d);
      out.push(dir, ...installedPackages(join(dir, 'node_modules')));
    }
  }
  return out;
}

// A workflow in memory through the public API only: two tasks, the second reads the first's output and the state
// the first wrote in a StateStore kept in a Map (the store contracts need no database), and a shell command task.
const WORKFLOW = `
import { defineTask, defineWorkflow, runWorkflow } from '@sloth/core';

const values = new Map();
const state = {
  set: (key, value) => { values.set(key, value); },
  get: (key) => values.get(key),
};

const workflow = defineWorkflow({
  name: 'standalone',
  tasks: [
    defineTask({
      name: 'produce',
      run: async (ctx) => {
        ctx.services.state.set('greeting', 'hello');
        return { success: true, output: { n: 41 } };
      },
    }),
    defineTask({ name: 'shell', run: 'echo from-a-shell' }),
    defineTask({
      name: 'consume',
      dependsOn: ['produce', 'shell'],
      run: async (ctx) => ({
        success: true,
        output: { n: ctx.deps.produce.n + 1, greeting: ctx.services.state.get('greeting') },
      }),
    }),
  ],
});

const result = await runWorkflow(workflow, { services: { state } });
process.stdout.write(JSON.stringify(result));
`;

describe('@sloth/core installed alone', () => {
  it('packs, installs from the npm registry without a native build, and runs a workflow in memory', async () => {
    expect(existsSync(join(CORE, 'dist', 'index.js')), 'build @sloth/core first (pnpm build)').toBe(true);
    const work = mkdtempSync(join(tmpdir(), 'sloth-core-standalone-'));
    dirs.push(work);
    const packs = join(work, 'packs');
    mkdirSync(packs);
    // pnpm pack writes the package.json users get (a workspace:* range would become the version; core has none).
    await run('pnpm', ['pack', '--pack-destination', packs], { cwd: CORE });
    const [tarball] = readdirSync(packs).filter((f) => f.endsWith('.tgz'));
    expect(tarball).toBeDefined();

    const app = join(work, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'standalone-check', private: true, type: 'module' }));
    // --ignore-scripts: what runs without install scripts is what a machine without a compiler gets; the checks below
    // show nothing in the tree has such a script to skip, so this is the same install as without the flag.
    await run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', join(packs, tarball as string)], {
      cwd: app,
      timeout: 180_000,
    });

    const installed = installedPackages(join(app, 'node_modules'));
    const names = installed.map((dir) => (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string }).name);
    expect(names).toContain('@sloth/core');
    expect(names).not.toContain('better-sqlite3');
    expect(names).not.toContain('drizzle-orm');
    for (const dir of installed) {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name: string;
        scripts?: Record<string, string>;
        gypfile?: boolean;
      };
      expect(existsSync(join(dir, 'binding.gyp')), `${manifest.name} has a binding.gyp`).toBe(false);
      expect(manifest.gypfile ?? false, `${manifest.name} is a gyp package`).toBe(false);
      for (const script of INSTALL_SCRIPTS) expect(manifest.scripts?.[script], `${manifest.name} ${script}`).toBeUndefined();
    }

    writeFileSync(join(app, 'run.mjs'), WORKFLOW);
    const { stdout } = await run(process.execPath, ['run.mjs'], { cwd: app, timeout: 60_000 });
    const result = JSON.parse(stdout) as { status: string; tasks: { name: string; status: string; output?: unknown }[] };
    expect(result.status).toBe('success');
    expect(result.tasks.map((t) => [t.name, t.status])).toEqual([
      ['produce', 'success'],
      ['shell', 'success'],
      ['consume', 'success'],
    ]);
    expect(result.tasks[2]?.output).toEqual({ n: 42, greeting: 'hello' });
  }, 240_000);
});
