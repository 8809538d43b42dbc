import { spawn } from 'node:child_process';
import { call, failure } from '@sloth/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDeb, cleanUp, dpkgStatus, localRepository, testPackageName } from './deb.test-helper.js';
import { pkgModule } from './pkg-module.js';

// Real apt-get and dpkg as root on Debian, offline: tiny packages built here with dpkg-deb, purged afterwards. apt
// reads an index of its own (empty: only what dpkg has installed), which it reads faster than the machine's.
const main = testPackageName();
const other = testPackageName();
const withConf = testPackageName();
const failing = testPackageName();
const v1 = buildDeb(main, '1.0-1');
const v11 = buildDeb(main, '1.1-1');
const otherDeb = buildDeb(other, '1.0-1');
const confDeb = buildDeb(withConf, '2.0-1', { conffile: true });
const failingDeb = buildDeb(failing, '1.0-1', { postinst: '#!/bin/sh\necho "postinst: cannot configure" >&2\nexit 1\n' });
afterAll(() => cleanUp([main, other, withConf, failing]));
const repo = localRepository();

type Result = {
  changed: boolean;
  changes: Record<string, { old?: string; new?: string }>;
  packages: string[];
  check_mode: boolean;
};
const install = (args: unknown[], options: { checkMode?: boolean } = {}) => {
  const t = repo.context(options);
  return { ...t, result: call(pkgModule, 'install', args, t.ctx) as Promise<Result> };
};

describe('pkg.install and pkg.remove with apt-get and dpkg', () => {
  it('installs a local .deb, then finds it installed and starts no package manager', async () => {
    const first = install([{ deb: v1 }]);
    expect(await first.result).toMatchObject({
      changed: true,
      changes: { [main]: { new: '1.0-1' } },
      packages: [main],
      check_mode: false,
    });
    expect((await first.result).changes[main]?.old).toBeUndefined();
    expect(dpkgStatus(main)).toBe('install ok installed 1.0-1');
    expect(first.resources.map((r) => r.record)).toEqual([{ name: main, installed: true, version: '1.0-1' }]);
    expect(first.lines.some((l) => l.message.startsWith('running apt-get'))).toBe(true);

    // apt-get logs each run that changes packages; no new entry is evidence that it was not run.
    expect(repo.history()).toContain(`Install: ${main}:`);
    const history = repo.history();
    for (const args of [[{ deb: v1 }], [main], [[main]], [{ packages: [main] }], [{ name: main, version: '1.0-1' }]]) {
      const again = install(args);
      expect(await again.result).toMatchObject({ changed: false, changes: {}, packages: [] });
      expect(again.lines.filter((l) => l.message.startsWith('running apt-get'))).toEqual([]);
    }
    expect(repo.history()).toBe(history);
  });

  it('upgrades to a newer .deb and reports the old and new versions', async () => {
    const { result, resources } = install([{ deb: v11 }]);
    expect(await result).toMatchObject({ changed: true, changes: { [main]: { old: '1.0-1', new: '1.1-1' } } });
    expect(dpkgStatus(main)).toBe('install ok installed 1.1-1');
    expect(resources[0]?.record).toEqual({ name: main, installed: true, version: '1.1-1' });
  });

  it('in check mode reports the install it would do and installs nothing', async () => {
    const history = repo.history();
    const { result, resources } = install([{ deb: otherDeb }], { checkMode: true });
    expect(await result).toMatchObject({ changed: true, check_mode: true, changes: { [other]: { new: '1.0-1' } } });
    expect(dpkgStatus(other)).toBe('');
    expect(repo.history()).toBe(history);
    expect(resources[0]?.record).toBeUndefined();
  });

  it('serializes concurrent calls: one installs, the other then finds it installed', async () => {
    const results = await Promise.all([install([{ deb: otherDeb }]).result, install([{ deb: otherDeb }]).result]);
    expect(results.map((r) => r.changed).sort()).toEqual([false, true]);
    expect(dpkgStatus(other)).toBe('install ok installed 1.0-1');
  });

  it('answers is_installed, version, info and list_installed from dpkg', async () => {
    const { ctx } = repo.context();
    expect(await call(pkgModule, 'is_installed', [main], ctx)).toBe(true);
    expect(await call(pkgModule, 'is_installed', [`${main}-absent`], ctx)).toBe(false);
    expect(await call(pkgModule, 'version', [main], ctx)).toBe('1.1-1');
    expect(await call(pkgModule, 'version', [`${main}-absent`], ctx)).toBeUndefined();
    expect(await call(pkgModule, 'info', [main], ctx)).toMatchObject({
      name: main,
      installed: true,
      version: '1.1-1',
      architecture: 'all',
      summary: 'throw-away package of the Sloth Runner tests',
    });
    expect(await call(pkgModule, 'info', [`${main}-absent`], ctx)).toBeUndefined();
    const listed = (await call(pkgModule, 'list_installed', ['slothtest-*'], ctx)) as { name: string }[];
    expect(listed).toEqual(
      expect.arrayContaining([
        { name: main, version: '1.1-1' },
        { name: other, version: '1.0-1' },
      ]),
    );
    expect(listed.every((p) => p.name.startsWith('slothtest-'))).toBe(true);
    expect(((await call(pkgModule, 'list_installed', [], ctx)) as { name: string }[]).some((p) => p.name === 'dpkg')).toBe(true);
    expect(await call(pkgModule, 'manager', [], ctx)).toBe('apt');
  });

  it('removes, and purges the configuration files a removal left; each only once', async () => {
    expect(await install([{ deb: confDeb }]).result).toMatchObject({ changed: true });
    const { ctx, resources } = repo.context();
    expect(await call(pkgModule, 'remove', [withConf], ctx)).toMatchObject({
      changed: true,
      changes: { [withConf]: { old: '2.0-1' } },
      packages: [withConf],
    });
    expect(dpkgStatus(withConf)).toBe('deinstall ok config-files 2.0-1');
    expect(resources[0]?.record).toEqual({ name: withConf, installed: false });
    const history = repo.history();
    expect(await call(pkgModule, 'remove', [withConf], ctx)).toMatchObject({ changed: false, changes: {}, packages: [] });
    expect(repo.history()).toBe(history);

    const { ctx: checking } = repo.context({ checkMode: true });
    expect(await call(pkgModule, 'remove', [withConf, { purge: true }], checking)).toMatchObject({
      changed: true,
      check_mode: true,
    });
    expect(dpkgStatus(withConf)).toBe('deinstall ok config-files 2.0-1');

    expect(await call(pkgModule, 'remove', [{ packages: [withConf], purge: true }], ctx)).toMatchObject({
      changed: true,
      changes: { [withConf]: { old: 'config-files' } },
    });
    expect(dpkgStatus(withConf)).toBe('');
    expect(await call(pkgModule, 'remove', [withConf, { purge: true }], ctx)).toMatchObject({ changed: false });
  });

  it('removes several packages in one call and reports each', async () => {
    const { ctx } = repo.context();
    const r = (await call(pkgModule, 'remove', [[main, other, `${main}-absent`]], ctx)) as Result;
    expect(r).toMatchObject({ changed: true, changes: { [main]: { old: '1.1-1' }, [other]: { old: '1.0-1' } } });
    expect(r.packages.sort()).toEqual([main, other].sort());
    expect(dpkgStatus(main)).not.toContain('installed');
  });
});

describe('pkg errors', () => {
  it('an unknown package name says so and suggests the nearest names apt knows', async () => {
    expect(await install([{ deb: v1 }]).result).toMatchObject({ changed: true });
    const typo = `${main.slice(0, -1)}${main.endsWith('z') ? 'y' : 'z'}`;
    const err = await failure(install([typo]).result);
    expect(err.code).toBe('not_found');
    expect(err.message).toBe(`pkg.install: no package '${typo}' is available (did you mean '${main}'?)`);
    expect(err.hint).toContain('update_cache = true');
    const plain = await failure(install(['slothtest-nonexistent-xyz']).result);
    expect(plain.message).toMatch(/^pkg\.install: no package 'slothtest-nonexistent-xyz' is available/);
    // Nothing was installed by the failed calls, also in a list with a known package.
    const mixed = await failure(install([[other, 'slothtest-nonexistent-xyz']]).result);
    expect(mixed.code).toBe('not_found');
    expect(dpkgStatus(other)).not.toContain(' installed');
  });

  it('a failing install says what dpkg and apt-get said, and reports the package it left half-configured', async () => {
    const first = install([{ deb: failingDeb }]);
    const err = await failure(first.result);
    expect(err.code).toBe('task_failed');
    expect(err.message).toMatch(/^pkg\.install: apt-get install failed \(exit 100\):\n/);
    expect(err.message).toContain('postinst: cannot configure');
    expect(err.message).toContain('E: Sub-process /usr/bin/dpkg returned an error code (1)');
    expect(dpkgStatus(failing)).toBe('install ok half-configured 1.0-1');
    // It changed the machine: that is reported, but not recorded as in its desired state.
    expect(first.resources).toMatchObject([{ name: failing, changed: true, changes: { version: { new: '1.0-1' } } }]);
    expect(first.resources[0]?.record).toBeUndefined();
    // A package left half-way is not "installed": the next call does not call it done.
    const again = await failure(install([{ deb: failingDeb }]).result);
    expect(again.message).toContain(failing);
  });

  it('a dpkg lock held by another process: waits lock_timeout seconds, then names the holder', async () => {
    // perl takes the lock as dpkg and apt do (an fcntl write lock on lock-frontend) and holds it until killed.
    const holder = spawn(
      'perl',
      [
        '-e',
        'use Fcntl; open(my $f, ">>", "/var/lib/dpkg/lock-frontend") or die "$!"; my $l = pack("s s x4 q q l x4", F_WRLCK, 0, 0, 0, 0); fcntl($f, F_SETLK, $l) or die "lock: $!"; $| = 1; print "locked\\n"; sleep 120',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout.on('data', (d: Buffer) => d.toString().includes('locked') && resolve());
        holder.on('exit', (code) => reject(new Error(`the lock holder exited (${code})`)));
      });
      const history = repo.history();
      const err = await failure(install([{ deb: otherDeb, lock_timeout: 1 }]).result);
      expect(err.code).toBe('timeout');
      expect(err.message).toBe(
        `pkg.install: /var/lib/dpkg/lock-frontend is held by process ${holder.pid} (perl); waited 1 s for it`,
      );
      expect(err.hint).toContain('raise lock_timeout');
      expect(repo.history()).toBe(history);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('refuses bad arguments before doing anything, naming the field', async () => {
    const { ctx } = repo.context();
    const cases: [string, unknown[], RegExp][] = [
      ['install', [42], /^pkg\.install: argument #1 \(packages\): expected table, got number$/],
      ['install', [{ packages: ['nginx'], state: 'newest' }], /argument #1 \(packages\) field 'state': Invalid option/],
      ['install', ['-o foo'], /argument #1 \(packages\) field 'packages': '-o foo' is not a package name/],
      ['install', [{ packages: ['nginx'], recommends: true }], /Unrecognized key: "recommends"/],
      // { "nginx", "-o", state = "latest" }: Lua's list part arrives as keys "1", "2": they are the packages.
      ['install', [{ 1: 'nginx', 2: '-o', state: 'latest' }], /field 'packages\.2': '-o' is not a package name/],
      ['install', ['nginx', { cache_valid_time: -1 }], /argument #2 \(opts\) field 'cache_valid_time'/],
      ['install', [{}], /^pkg\.install: no package named$/],
      ['install', [{ packages: ['a', 'b'], version: '1.0' }], /^pkg\.install: version applies to one package, got 2$/],
      ['install', [{ packages: 'a', name: 'b' }], /^pkg\.install: give packages or name, not both$/],
      ['install', [{ deb: '/nonexistent/x.deb' }], /^pkg\.install: '\/nonexistent\/x\.deb' is not a readable \.deb package/],
      ['remove', [['nginx=1.0']], /^pkg\.remove: 'nginx=1\.0': a removal takes names, not versions$/],
      ['remove', [true], /^pkg\.remove: argument #1 \(packages\)/],
      ['upgrade', [{ dist: 'yes' }], /^pkg\.upgrade: argument #1 \(opts\) field 'dist': expected boolean, got string$/],
      ['version', [3], /^pkg\.version: argument #1 \(name\): expected string, got number$/],
    ];
    for (const [fn, args, message] of cases) {
      const err = await failure(call(pkgModule, fn, args, ctx));
      expect(err.code, `${fn} ${JSON.stringify(args)}`).toBe('invalid_argument');
      expect(err.message, `${fn} ${JSON.stringify(args)}`).toMatch(message);
    }
  });
});
