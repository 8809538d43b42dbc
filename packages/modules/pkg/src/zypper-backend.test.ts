import { createModuleContext } from '@sloth/core';
import { call, failure } from '@sloth/core/testing';
import { describe, expect, it } from 'vitest';
import { fakeHost } from './fake-host.test-helper.js';
import { FakePackages, fakeContext, rpmQueryOutput } from './fake-manager.test-helper.js';
import { pkgModule } from './pkg-module.js';
import { parseZypperUpdates, zypperDriver } from './zypper-backend.js';

// No zypper here (Debian): a fake zypper and rpm answer in their formats (rpm -q --qf lines, `zypper --xmlout
// list-updates` XML, its exit codes), over a fake package set. Not tested against a real zypper.
const REPOMD = '/var/cache/zypp/raw/repo-oss/repodata/repomd.xml';
const xmlUpdates = (updates: Map<string, string>) =>
  `<?xml version='1.0'?>\n<stream>\n<update-status version="0.6">\n<update-list>\n${[...updates]
    .map(
      ([n, v]) =>
        `<update kind="package" name="${n}" edition="${v}" arch="x86_64" edition-old="" >\n<summary>${n}</summary>\n</update>\n`,
    )
    .join('')}</update-list>\n</update-status>\n</stream>\n`;

function fakeZypperHost(name: string) {
  const packages = new FakePackages({ nginx: ['1.21.5-150400.3.1', '1.21.5-150400.3.3.1'], vim: ['9.1.0330-150500.20.9.1'] });
  const remote = { repomd: 'oss 1' };
  const host = fakeHost(
    name,
    'NAME="openSUSE Leap"\nID="opensuse-leap"\nID_LIKE="suse opensuse"\n',
    { '/usr/bin/zypper': '', [REPOMD]: remote.repomd },
    (argv) => {
      const [tool, ...rest] = argv;
      if (tool === 'rpm') return rest[0] === '-q' ? rpmQueryOutput(packages, rest.slice(3)) : 'app\t0:1.2.0-1\n';
      if (tool !== 'zypper') return undefined;
      const [command, ...args] = rest.filter((a) => !a.startsWith('-'));
      if (command === 'list-updates') return xmlUpdates(packages.updates());
      if (command === 'install') {
        const unknown = args.find((a) => !a.endsWith('.rpm') && !packages.available[a.split('=')[0] as string]);
        if (unknown) return { stderr: `Package '${unknown}' not found.\n`, exitCode: 104 };
        for (const a of args) {
          if (a.endsWith('.rpm')) packages.installed.set('app', '1.2.0-1');
          else packages.install(a.split('=')[0] as string, a.split('=')[1]);
        }
        // 102: installed, and a reboot is needed.
        return { stdout: '', exitCode: 102 };
      }
      if (command === 'remove') for (const n of args) packages.installed.delete(n);
      else if (command === 'update' || command === 'dist-upgrade') for (const n of packages.updates().keys()) packages.install(n);
      else if (command === 'refresh') host.files.set(REPOMD, remote.repomd);
      else return undefined;
      return '';
    },
  );
  const changing = (ran: string[]) => ran.filter((l) => l.startsWith('zypper') && !l.includes('list-updates'));
  return { host, packages, changing, remote };
}

describe('pkg on a zypper host (fake zypper)', () => {
  it('install: rpm -q first, one zypper install (exit 102 is success), then starts no zypper; pins name=version', async () => {
    const { host, changing } = fakeZypperHost('fake-zypper-install');
    const first = fakeContext(host);
    expect(
      await call(
        pkgModule,
        'install',
        [{ name: 'nginx', version: '1.21.5-150400.3.1', install_recommends: false, allow_downgrade: true }],
        first.ctx,
      ),
    ).toMatchObject({
      changed: true,
      changes: { nginx: { new: '1.21.5-150400.3.1' } },
    });
    expect(changing(first.ran())).toEqual([
      'zypper --non-interactive install --auto-agree-with-licenses --no-recommends --oldpackage nginx=1.21.5-150400.3.1',
    ]);
    const again = fakeContext(host);
    expect(await call(pkgModule, 'install', ['nginx'], again.ctx)).toMatchObject({ changed: false });
    expect(changing(again.ran())).toEqual([]);
    const latest = fakeContext(host);
    expect(await call(pkgModule, 'install', ['nginx', { state: 'latest' }], latest.ctx)).toMatchObject({
      changes: { nginx: { old: '1.21.5-150400.3.1', new: '1.21.5-150400.3.3.1' } },
    });
    expect(changing(latest.ran())).toEqual([
      'zypper --non-interactive install --auto-agree-with-licenses nginx=1.21.5-150400.3.3.1',
    ]);
  });

  it('a local .rpm is installed with --allow-unsigned-rpm; an unknown name fails with what zypper said; purge is refused', async () => {
    const { host, changing } = fakeZypperHost('fake-zypper-file');
    const t = fakeContext(host);
    await call(pkgModule, 'install', [{ file: '/tmp/app-1.2.0-1.x86_64.rpm' }], t.ctx);
    expect(changing(t.ran())).toEqual([
      'zypper --non-interactive install --auto-agree-with-licenses --allow-unsigned-rpm /tmp/app-1.2.0-1.x86_64.rpm',
    ]);
    const err = await failure(call(pkgModule, 'install', ['nosuch'], fakeContext(host).ctx));
    expect(err.message).toBe("pkg.install: zypper install failed (exit 104):\nPackage 'nosuch' not found.");
    const purge = await failure(call(pkgModule, 'remove', ['app', { purge: true }], fakeContext(host).ctx));
    expect(purge.message).toBe('pkg.remove: purge is not supported with zypper');
  });

  it('remove, refresh and update; lock_timeout becomes ZYPP_LOCK_TIMEOUT', async () => {
    const { host, packages, changing, remote } = fakeZypperHost('fake-zypper-update');
    packages.installed.set('nginx', '1.21.5-150400.3.1');
    const up = fakeContext(host);
    expect(await call(pkgModule, 'upgrade', [], up.ctx)).toMatchObject({ packages: ['nginx'] });
    expect(changing(up.ran())).toEqual(['zypper --non-interactive update --auto-agree-with-licenses']);
    remote.repomd = 'oss 2';
    const refresh = fakeContext(host);
    expect(await call(pkgModule, 'update', [], refresh.ctx)).toMatchObject({ changed: true });
    expect(changing(refresh.ran())).toEqual(['zypper --non-interactive refresh']);
    const rm = fakeContext(host);
    expect(await call(pkgModule, 'remove', ['nginx'], rm.ctx)).toMatchObject({ changed: true });
    expect(changing(rm.ran())).toEqual(['zypper --non-interactive remove nginx']);
    const ctx = createModuleContext({ fn: 'pkg.install' });
    const [command] = zypperDriver.install(ctx, [{ arg: 'nginx', file: false }], {
      recommends: undefined,
      downgrade: false,
      lockTimeout: 30,
    });
    expect(command?.env).toEqual({ ZYPP_LOCK_TIMEOUT: '30' });
  });

  it('parses zypper --xmlout list-updates (in its format): packages only', () => {
    const xml = `${xmlUpdates(new Map([['nginx', '1.21.5-150400.3.3.1']]))}<update kind="patch" name="openSUSE-2024-1" edition="1" >`;
    expect([...parseZypperUpdates(xml)]).toEqual([['nginx', '1.21.5-150400.3.3.1']]);
  });
});
