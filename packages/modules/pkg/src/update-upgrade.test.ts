import { statSync } from 'node:fs';
import { join } from 'node:path';
import { call, failure } from '@sloth/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDeb, cleanUp, dpkgStatus, localRepository, testPackageName } from './deb.test-helper.js';
import { pkgModule } from './pkg-module.js';

// Real apt-get update/upgrade/install, offline: APT_CONFIG points apt at a local repository with its own lists.
const name = testPackageName();
const v1 = buildDeb(name, '1.0-1');
const v11 = buildDeb(name, '1.1-1');
const repo = localRepository();
afterAll(() => cleanUp([name]));

type Result = { changed: boolean; changes: Record<string, { old?: string; new?: string }>; packages?: string[] };
const run = async (fn: string, args: unknown[], options: { checkMode?: boolean } = {}) => {
  const t = repo.context(options);
  const result = (await call(pkgModule, fn, args, t.ctx)) as Result;
  return { ...t, result, ranAptGet: t.lines.some((l) => l.message.startsWith('running apt-get')) };
};
const mtime = (path: string) => statSync(path).mtimeMs;
const stamp = join(repo.root, 'state/periodic/update-success-stamp');

describe('pkg.update', () => {
  it('is changed when the lists it fetched differ, and not otherwise; cache_valid_time skips a recent refresh', async () => {
    repo.publish([v1]);
    const first = await run('update', []);
    expect(first.result).toMatchObject({ changed: true, changes: { refreshed: { new: 'now' } } });
    expect(first.resources.map((r) => [r.type, r.changed])).toEqual([['package_index', true]]);
    const again = await run('update', []);
    expect(again.result).toMatchObject({ changed: false, changes: {} });
    expect(again.ranAptGet).toBe(true);
    repo.publish([v1, v11]);
    expect((await run('update', [])).result.changed).toBe(true);

    const stamped = mtime(stamp);
    const recent = await run('update', [{ cache_valid_time: 3600 }]);
    expect(recent.result).toMatchObject({ changed: false, changes: {} });
    expect(recent.ranAptGet).toBe(false);
    const checking = await run('update', [], { checkMode: true });
    expect(checking.result).toMatchObject({ changed: true, check_mode: true });
    expect(checking.ranAptGet).toBe(false);
    expect(mtime(stamp)).toBe(stamped);
  });
});

describe('pkg.install from the index, and pkg.upgrade', () => {
  it('installs the candidate, pins a version, and state = "latest" upgrades; each only when needed', async () => {
    repo.publish([v1, v11]);
    const fresh = await run('install', [name, { update_cache: true, install_recommends: false }]);
    expect(fresh.result).toMatchObject({ changed: true, changes: { [name]: { new: '1.1-1' } }, packages: [name] });
    expect(
      fresh.lines.find((l) => l.message.startsWith('running apt-get') && l.message.includes(' install '))?.message,
    ).toContain('--no-install-recommends');
    expect(dpkgStatus(name)).toBe('install ok installed 1.1-1');
    const pinned = await run('install', [{ name, version: '1.0-1', allow_downgrade: true }]);
    expect(pinned.result).toMatchObject({ changed: true, changes: { [name]: { old: '1.1-1', new: '1.0-1' } } });
    const present = await run('install', [{ packages: [name], update_cache: true, cache_valid_time: 3600 }]);
    expect(present.result).toMatchObject({ changed: false });
    expect(present.ranAptGet).toBe(false);
    expect((await run('install', [`${name}=1.0-1`])).result.changed).toBe(false);
    const latest = await run('install', [{ name, version: 'latest' }]);
    expect(latest.result).toMatchObject({ changed: true, changes: { [name]: { old: '1.0-1', new: '1.1-1' } } });
    const stillLatest = await run('install', [name, { state: 'latest' }]);
    expect(stillLatest.result.changed).toBe(false);
    expect(stillLatest.ranAptGet).toBe(false);
  });

  it('upgrade: reports what it would upgrade in check mode, upgrades it, then has nothing to do', async () => {
    repo.publish([v1]);
    await run('update', []);
    await run('install', [{ name, version: '1.0-1', allow_downgrade: true }]);
    repo.publish([v1, v11]);
    await run('update', []);
    const checking = await run('upgrade', [], { checkMode: true });
    expect(checking.result).toMatchObject({ changed: true, changes: { [name]: { old: '1.0-1', new: '1.1-1' } } });
    expect(dpkgStatus(name)).toBe('install ok installed 1.0-1');
    const upgraded = await run('upgrade', [{ dist: true }]);
    expect(upgraded.result).toMatchObject({ changed: true, packages: [name] });
    expect(dpkgStatus(name)).toBe('install ok installed 1.1-1');
    // An upgrade does not make the workflow manage the packages it touched.
    expect(upgraded.resources.map((r) => r.record)).toEqual([undefined]);
    const history = repo.history();
    const nothing = await run('upgrade', []);
    expect(nothing.result).toMatchObject({ changed: false, changes: {}, packages: [] });
    expect(nothing.ranAptGet).toBe(false);
    expect(repo.history()).toBe(history);
  });
});

describe('pkg with an index that was never refreshed', () => {
  it('an unknown name is still a clear error (no suggestions to make), and info finds nothing', async () => {
    const { ctx } = localRepository().context();
    const err = await failure(call(pkgModule, 'install', ['slothtest-nonexistent-xyz'], ctx));
    expect(err.code).toBe('not_found');
    expect(err.message).toBe("pkg.install: no package 'slothtest-nonexistent-xyz' is available");
    expect(err.hint).toContain('update_cache = true');
    expect(await call(pkgModule, 'info', ['slothtest-nonexistent-xyz'], ctx)).toBeUndefined();
  });
});
