import { call, failure } from '@sloth/core/testing';
import { describe, expect, it } from 'vitest';
import { parseCheckUpdate } from './dnf-backend.js';
import { fakeHost } from './fake-host.test-helper.js';
import { FakePackages, fakeContext, rpmQueryOutput } from './fake-manager.test-helper.js';
import { pkgModule } from './pkg-module.js';

// No dnf here (Debian): a fake dnf and rpm answer in their formats (rpm -q --qf lines, "package X is not installed",
// dnf check-update's table and exit 100), over a fake package set. Not tested against a real dnf.
const FORMAT = '%{NAME}\\t%{EPOCHNUM}:%{VERSION}-%{RELEASE}\\n';
const REPOMD = '/var/cache/dnf/appstream-25485261a76cd2de/repodata/repomd.xml';

function fakeDnfHost(name: string, bin: 'dnf' | 'yum' = 'dnf') {
  const packages = new FakePackages(
    { nginx: ['2:1.20.1-14.el9', '2:1.20.1-16.el9'], 'vim-enhanced': ['8.2.2637-20.el9_1', '8.2.2637-21.el9'] },
    { bash: '5.1.8-9.el9' },
  );
  // What the repository serves; dnf makecache fetches it.
  const remote = { repomd: '<repomd>1</repomd>' };
  const files: Record<string, string> = { '/tmp/app-1.2.0-1.el9.x86_64.rpm': '', [REPOMD]: remote.repomd };
  const os = bin === 'dnf' ? 'ID="rocky"\nID_LIKE="rhel centos fedora"\n' : 'ID="centos"\nID_LIKE="rhel fedora"\n';
  const host = fakeHost(name, os, { [`/usr/bin/${bin}`]: '', ...files }, (argv) => {
    const [tool, command, ...rest] = argv;
    if (tool === 'rpm' && command === '-q') return rpmQueryOutput(packages, rest.slice(2));
    if (tool === 'rpm' && command === '-qp') return 'app\t0:1.2.0-1.el9\n';
    if (tool !== bin) return undefined;
    const args = rest.filter((a) => !a.startsWith('-'));
    if (command === 'check-update') {
      const updates = [...packages.updates(args)].map(([n, v]) => `${n}.x86_64    ${v}    appstream\n`);
      return { stdout: updates.length > 0 ? `\n${updates.join('')}` : '', exitCode: updates.length > 0 ? 100 : 0 };
    }
    if (command === 'install') {
      // One transaction: an unknown name fails it before anything is installed.
      const known = (arg: string) => Object.keys(packages.available).find((n) => arg === n || arg.startsWith(`${n}-`));
      const unknown = args.find((arg) => !arg.endsWith('.rpm') && !known(arg));
      if (unknown) {
        return {
          stdout: `No match for argument: ${unknown}\n`,
          stderr: `Error: Unable to find a match: ${unknown}\n`,
          exitCode: 1,
        };
      }
      for (const arg of args) {
        const n = known(arg) as string;
        if (arg.endsWith('.rpm')) packages.installed.set('app', '1.2.0-1.el9');
        else packages.install(n, arg === n ? undefined : arg.slice(n.length + 1));
      }
      return 'Complete!\n';
    }
    if (command === 'remove') {
      for (const n of args) packages.installed.delete(n);
      return 'Complete!\n';
    }
    if (command === 'upgrade' || command === 'distro-sync') {
      for (const n of packages.updates().keys()) packages.install(n);
      return 'Complete!\n';
    }
    if (command === 'makecache') {
      host.files.set(REPOMD, remote.repomd);
      return 'Metadata cache created.\n';
    }
    return undefined;
  });
  const changing = (ran: string[]) => ran.filter((l) => l.startsWith(`${bin} `) && !l.startsWith(`${bin} check-update`));
  return { host, packages, changing, remote };
}

type Result = { changed: boolean; changes: Record<string, { old?: string; new?: string }>; packages?: string[] };

describe('pkg on a dnf host (fake dnf)', () => {
  it('install: reads rpm first, installs only what is missing with one dnf install -y, then starts no dnf', async () => {
    const { host, packages, changing } = fakeDnfHost('fake-dnf-install');
    const first = fakeContext(host);
    const result = (await call(pkgModule, 'install', [{ packages: ['nginx', 'bash'] }], first.ctx)) as Result;
    expect(result).toMatchObject({ changed: true, changes: { nginx: { new: '2:1.20.1-16.el9' } }, packages: ['nginx'] });
    expect(result.changes.nginx?.old).toBeUndefined();
    expect(changing(first.ran())).toEqual(['dnf install -y nginx']);
    expect(first.ran()[0]).toBe(`rpm -q --qf ${FORMAT} nginx bash`);
    expect(first.resources.map((r) => r.record)).toEqual([
      { name: 'nginx', installed: true, version: '2:1.20.1-16.el9' },
      { name: 'bash', installed: true, version: '5.1.8-9.el9' },
    ]);
    expect(packages.installed.get('nginx')).toBe('2:1.20.1-16.el9');
    for (const args of [['nginx'], [{ name: 'nginx', version: '1.20.1' }], ['nginx=2:1.20.1-16.el9']]) {
      const again = fakeContext(host);
      expect(await call(pkgModule, 'install', args, again.ctx)).toMatchObject({ changed: false, changes: {} });
      expect(changing(again.ran())).toEqual([]);
    }
  });

  it('pins with name-version, state = "latest" asks dnf check-update, and check mode changes nothing', async () => {
    const { host, packages, changing } = fakeDnfHost('fake-dnf-pin');
    const checking = fakeContext(host, { checkMode: true });
    expect(await call(pkgModule, 'install', ['vim-enhanced'], checking.ctx)).toMatchObject({
      changed: true,
      check_mode: true,
      changes: { 'vim-enhanced': { new: '(newest available)' } },
    });
    expect(changing(checking.ran())).toEqual([]);
    expect(packages.installed.has('vim-enhanced')).toBe(false);

    const pinned = fakeContext(host);
    const r = await call(
      pkgModule,
      'install',
      [{ name: 'vim-enhanced', version: '8.2.2637-20.el9_1', install_recommends: false }],
      pinned.ctx,
    );
    expect(r).toMatchObject({ changed: true, changes: { 'vim-enhanced': { new: '8.2.2637-20.el9_1' } } });
    expect(changing(pinned.ran())).toEqual(['dnf install -y --setopt=install_weak_deps=False vim-enhanced-8.2.2637-20.el9_1']);
    const latest = fakeContext(host);
    expect(await call(pkgModule, 'install', ['vim-enhanced', { state: 'latest' }], latest.ctx)).toMatchObject({
      changed: true,
      changes: { 'vim-enhanced': { old: '8.2.2637-20.el9_1', new: '8.2.2637-21.el9' } },
    });
    expect(changing(latest.ran())).toEqual(['dnf install -y vim-enhanced-8.2.2637-21.el9']);
    const still = fakeContext(host);
    expect(await call(pkgModule, 'install', ['vim-enhanced', { state: 'latest' }], still.ctx)).toMatchObject({ changed: false });
    expect(still.ran()).toContain('dnf check-update -q vim-enhanced');
    expect(changing(still.ran())).toEqual([]);
  });

  it('installs a local .rpm given as file, read with rpm -qp; refuses deb, lock_timeout and purge naming dnf', async () => {
    const { host, changing } = fakeDnfHost('fake-dnf-file');
    const t = fakeContext(host);
    expect(await call(pkgModule, 'install', [{ file: '/tmp/app-1.2.0-1.el9.x86_64.rpm' }], t.ctx)).toMatchObject({
      changed: true,
      changes: { app: { new: '1.2.0-1.el9' } },
    });
    expect(changing(t.ran())).toEqual(['dnf install -y /tmp/app-1.2.0-1.el9.x86_64.rpm']);
    const again = fakeContext(host);
    expect(await call(pkgModule, 'install', [{ file: '/tmp/app-1.2.0-1.el9.x86_64.rpm' }], again.ctx)).toMatchObject({
      changed: false,
    });
    const deb = await failure(call(pkgModule, 'install', [{ deb: '/tmp/x.deb' }], fakeContext(host).ctx));
    expect(deb.message).toBe('pkg.install: deb is a Debian package file, and the package manager here is dnf');
    expect(deb.hint).toContain('file = "/path/to/package.rpm"');
    const lock = await failure(call(pkgModule, 'install', ['nginx', { lock_timeout: 10 }], fakeContext(host).ctx));
    expect(lock.message).toBe('pkg.install: lock_timeout is not supported with dnf');
    const purge = await failure(call(pkgModule, 'remove', ['app', { purge: true }], fakeContext(host).ctx));
    expect(purge.message).toBe('pkg.remove: purge is not supported with dnf');
    expect(changing(host.ran).length).toBe(1);
  });

  it('remove: dnf remove -y for installed ones only; nothing installed: dnf is not started', async () => {
    const { host, packages, changing } = fakeDnfHost('fake-dnf-remove');
    const t = fakeContext(host);
    expect(await call(pkgModule, 'remove', [['bash', 'nginx']], t.ctx)).toMatchObject({
      changed: true,
      changes: { bash: { old: '5.1.8-9.el9' } },
      packages: ['bash'],
    });
    expect(changing(t.ran())).toEqual(['dnf remove -y bash']);
    expect(packages.installed.size).toBe(0);
    const again = fakeContext(host);
    expect(await call(pkgModule, 'remove', ['bash'], again.ctx)).toMatchObject({ changed: false });
    expect(changing(again.ran())).toEqual([]);
  });

  it('a failed install says what dnf said, and reports no change', async () => {
    const { host } = fakeDnfHost('fake-dnf-fail');
    const t = fakeContext(host);
    const err = await failure(call(pkgModule, 'install', [['nginx', 'nosuch']], t.ctx));
    expect(err.message).toBe(
      'pkg.install: dnf install failed (exit 1):\nNo match for argument: nosuch\nError: Unable to find a match: nosuch',
    );
    expect(t.resources.filter((r) => r.changed)).toEqual([]);
  });

  it('update runs dnf makecache (changed when repomd.xml changed); upgrade lists updates first', async () => {
    const { host, packages, changing, remote } = fakeDnfHost('fake-dnf-update');
    const same = fakeContext(host);
    expect(await call(pkgModule, 'update', [], same.ctx)).toMatchObject({ changed: false });
    expect(changing(same.ran())).toEqual(['dnf makecache']);
    const checking = fakeContext(host, { checkMode: true });
    expect(await call(pkgModule, 'update', [], checking.ctx)).toMatchObject({
      changed: true,
      changes: { refreshed: { new: 'now' } },
    });
    expect(checking.ran()).toEqual([]);
    remote.repomd = '<repomd>2</repomd>';
    expect(await call(pkgModule, 'update', [], fakeContext(host).ctx)).toMatchObject({ changed: true });
    // cache_valid_time: the index files' modification time says how old the index is.
    host.mtimes.set(REPOMD, Date.now() - 60_000);
    const recent = fakeContext(host);
    expect(await call(pkgModule, 'install', ['bash', { update_cache: true, cache_valid_time: 3600 }], recent.ctx)).toMatchObject({
      changed: false,
      cache_updated: false,
    });
    expect(recent.ran()).not.toContain('dnf makecache');
    const stale = fakeContext(host);
    await call(pkgModule, 'update', [{ cache_valid_time: 30 }], stale.ctx);
    expect(stale.ran()).toContain('dnf makecache');

    const none = fakeContext(host);
    expect(await call(pkgModule, 'upgrade', [], none.ctx)).toMatchObject({ changed: false, packages: [] });
    expect(none.ran()).toEqual(['dnf check-update -q']);
    packages.installed.set('nginx', '2:1.20.1-14.el9');
    const up = fakeContext(host);
    expect(await call(pkgModule, 'upgrade', [{ dist: true }], up.ctx)).toMatchObject({
      changed: true,
      changes: { nginx: { old: '2:1.20.1-14.el9', new: '2:1.20.1-16.el9' } },
      packages: ['nginx'],
    });
    expect(changing(up.ran())).toEqual(['dnf distro-sync -y']);
    expect(up.resources.map((r) => r.record)).toEqual([undefined]);
  });

  it('on a yum host: the same commands with yum', async () => {
    const { host, changing } = fakeDnfHost('fake-yum', 'yum');
    const t = fakeContext(host);
    expect(await call(pkgModule, 'manager', [], t.ctx)).toBe('yum');
    await call(pkgModule, 'install', ['nginx'], t.ctx);
    expect(changing(t.ran())).toEqual(['yum install -y nginx']);
  });

  it("parses dnf check-update's table (outputs in its format): names with dots, epochs, the obsoletes section", () => {
    const out = [
      '',
      'python3.11.x86_64            3.11.7-1.el9           appstream',
      'nginx.x86_64                 2:1.20.1-16.el9        appstream',
      'Obsoleting Packages',
      'grub2-tools.x86_64           1:2.06-70.el9          baseos',
      '',
    ].join('\n');
    expect([...parseCheckUpdate(out)]).toEqual([
      ['python3.11', '3.11.7-1.el9'],
      ['nginx', '2:1.20.1-16.el9'],
    ]);
  });
});
