import { isAscii } from 'node:buffer';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO, runCli } from './cli.test-helper.js';

const run = promisify(execFile);
const LOADER = join(REPO, 'scripts/bundle-loader.cjs');

/** A directory laid out like dist/bundle/: a bundle, its build id and the loader. */
function bundleDir(source: string, id = 'aaaa'): string {
  const dir = mkdtempSync(join(tmpdir(), 'sloth-bundle-'));
  writeFileSync(join(dir, 'main.cjs'), source);
  writeFileSync(join(dir, 'build-id'), id);
  copyFileSync(LOADER, join(dir, 'load.cjs'));
  return dir;
}

/** The user's cache directory the loader falls back to, one per test file (never the real ~/.cache). */
const XDG_CACHE_HOME = mkdtempSync(join(tmpdir(), 'sloth-xdg-cache-'));
const userCache = join(XDG_CACHE_HOME, 'sloth-runner');

/** Loads the bundle in a new Node process the way bin/run.js does, and what the process printed and exited with. */
async function load(dir: string, extra = ''): Promise<{ code: number; stdout: string }> {
  const script = `const { loadBundle } = require(${JSON.stringify(join(dir, 'load.cjs'))}); const m = loadBundle(); ${extra}`;
  try {
    const { stdout } = await run(process.execPath, ['-e', script], { timeout: 20_000, env: { ...process.env, XDG_CACHE_HOME } });
    return { code: 0, stdout };
  } catch (err) {
    const e = err as { code?: number; stdout?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '' };
  }
}

const cacheFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.v8cache'));

const COUNTING =
  'globalThis.runs = (globalThis.runs ?? 0) + 1; module.exports = { runs: () => globalThis.runs, twice: (x) => 2 * x };';

describe('the bundle loader (scripts/bundle-loader.cjs)', () => {
  it('runs the bundle once per process: loading it again, or require() of the file (oclif), gets the same module', async () => {
    const dir = bundleDir(COUNTING);
    const r = await load(
      dir,
      `const again = require(${JSON.stringify(join(dir, 'load.cjs'))}).loadBundle(); const req = require(${JSON.stringify(join(dir, 'main.cjs'))});` +
        'console.log(JSON.stringify([m.runs(), again === m, req === m, m.twice(21)]));',
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([1, true, true, 42]);
  });

  it('writes a code cache named after the build at exit, keeps it while it is accepted, and replaces one V8 refuses', async () => {
    const dir = bundleDir(COUNTING, 'build1');
    expect((await load(dir, 'process.exitCode = 3;')).code).toBe(3);
    const cache = join(dir, 'main-build1.v8cache');
    expect(cacheFiles(dir)).toEqual(['main-build1.v8cache']);
    const written = statSync(cache);
    // Accepted: not written again (a rename would give the file a new inode).
    expect((await load(dir, 'console.log(m.twice(2));')).stdout.trim()).toBe('4');
    expect(statSync(cache).ino).toBe(written.ino);
    // Garbage (or another Node's cache) is refused by V8: the bundle still runs, and the cache is made again.
    writeFileSync(cache, 'not a code cache');
    expect((await load(dir, 'console.log(m.twice(3));')).stdout.trim()).toBe('6');
    expect(readFileSync(cache).length).toBeGreaterThan(100);
    expect(cacheFiles(dir)).toEqual(['main-build1.v8cache']);
  });

  it('never uses the cache of another build', async () => {
    const dir = bundleDir(COUNTING, 'old');
    await load(dir, 'm.twice(1);');
    // A rebuilt bundle of the same length: V8 alone would take the old cache for it.
    writeFileSync(join(dir, 'main.cjs'), COUNTING.replace('2 * x', '3 * x'));
    writeFileSync(join(dir, 'build-id'), 'new');
    expect((await load(dir, 'console.log(m.twice(2));')).stdout.trim()).toBe('6');
    expect(cacheFiles(dir).sort()).toEqual(['main-new.v8cache', 'main-old.v8cache']);
  });

  it("falls back to the user's cache directory where the bundle's cannot take the cache, and prunes older builds there", async () => {
    const dir = bundleDir(COUNTING, 'ro');
    // Something the cache cannot replace stands where it would go (as a read-only install would refuse it).
    mkdirSync(join(dir, 'main-ro.v8cache'));
    mkdirSync(userCache, { recursive: true });
    writeFileSync(join(userCache, 'main-older.v8cache'), 'an older build');
    expect((await load(dir, 'console.log(m.twice(5));')).stdout.trim()).toBe('10');
    expect(readdirSync(dir).sort()).toEqual(['build-id', 'load.cjs', 'main-ro.v8cache', 'main.cjs']);
    expect(readdirSync(userCache)).toEqual(['main-ro.v8cache']);
    const written = statSync(join(userCache, 'main-ro.v8cache'));
    // Next time it is read from there (and, accepted, not written again).
    expect((await load(dir, 'console.log(m.twice(6));')).stdout.trim()).toBe('12');
    expect(statSync(join(userCache, 'main-ro.v8cache')).ino).toBe(written.ino);
    // One V8 refuses next to the bundle does not hide an accepted one in the user's directory.
    const other = bundleDir(COUNTING, 'ro');
    writeFileSync(join(other, 'main-ro.v8cache'), 'made by another Node');
    expect((await load(other, 'console.log(m.twice(7));')).stdout.trim()).toBe('14');
    expect(statSync(join(userCache, 'main-ro.v8cache')).ino).toBe(written.ino);
    expect(readFileSync(join(other, 'main-ro.v8cache'), 'utf8')).toBe('made by another Node');
  });

  it('a bundle that throws while loading is not left behind half-made for the next require()', async () => {
    const dir = bundleDir(
      "globalThis.tries = (globalThis.tries ?? 0) + 1; if (globalThis.tries === 1) throw new Error('boom'); module.exports = { ok: true };",
    );
    const loader = JSON.stringify(join(dir, 'load.cjs'));
    const r = await run(process.execPath, [
      '-e',
      `const { loadBundle } = require(${loader}); try { loadBundle(); } catch (e) { console.log(e.message); } console.log(JSON.stringify(loadBundle()));`,
    ]);
    expect(r.stdout.trim().split('\n')).toEqual(['boom', '{"ok":true}']);
  });

  it('reads a bundle that is not ASCII as UTF-8, with and without its cache', async () => {
    const dir = bundleDir('module.exports = { word: () => "h\u00e9llo \u2713 \u{1f600}" }; // d\u00e9j\u00e0 vu');
    for (const round of ['no cache yet', 'from the cache']) {
      const r = await load(dir, 'process.stdout.write(m.word())');
      expect([round, r.code, r.stdout]).toEqual([round, 0, 'h\u00e9llo \u2713 \u{1f600}']);
    }
    expect(cacheFiles(dir)).toHaveLength(1);
  });

  it('the CLI built by `pnpm build` runs through it and leaves its cache next to its bundle', async () => {
    const bundle = join(REPO, 'apps/cli/dist/bundle');
    const id = readFileSync(join(bundle, 'build-id'), 'utf8').trim();
    const r = await runCli(['modules', 'list']);
    expect(r.code).toBe(0);
    expect(existsSync(join(bundle, `main-${id}.v8cache`))).toBe(true);
    // Written in ASCII, so the loader takes its fast path (latin1) for it; text in other scripts survives as escapes.
    expect(isAscii(readFileSync(join(bundle, 'main.cjs')))).toBe(true);
    const hello = await runCli(['workflow', 'run', '-f', 'examples/hello-world.sloth']);
    expect(hello.stdout).toMatch(/\u2713 workflow '.+' succeeded/);
  });
});
