import { call, failure } from '@sloth/core/testing';
import { describe, expect, it } from 'vitest';
import { fakeHost } from './fake-host.test-helper.js';
import { FakePackages, fakeContext } from './fake-manager.test-helper.js';
import { parsePacmanUpdates } from './pacman-backend.js';
import { pkgModule } from './pkg-module.js';

// No pacman here (Debian): a fake pacman answers in its formats (`pacman -Q` and `-Qu` lines, its "error:" lines and
// exit codes), over a fake package set. Not tested against a real pacman.
const SYNC_DB = '/var/lib/pacman/sync/core.db';

function fakePacmanHost(name: string) {
  const packages = new FakePackages({ nginx: ['1.26.1-1', '1.26.2-1'], vim: ['9.1.0-1'] }, { bash: '5.2.026-2' });
  const remote = { db: 'core 1' };
  const host = fakeHost(
    name,
    'NAME="Arch Linux"\nID=arch\n',
    { '/usr/bin/pacman': '', [SYNC_DB]: remote.db, '/tmp/app-1.2.0-1-any.pkg.tar.zst': '' },
    (argv) => {
      const [tool, command, ...rest] = argv;
      if (tool !== 'pacman') return undefined;
      const args = rest.filter((a) => !a.startsWith('-'));
      if (command === '-Q') {
        const missing = args.filter((n) => !packages.installed.has(n));
        return {
          stdout: args
            .filter((n) => packages.installed.has(n))
            .map((n) => `${n} ${packages.installed.get(n)}\n`)
            .join(''),
          stderr: missing.map((n) => `error: package '${n}' was not found\n`).join(''),
          exitCode: missing.length > 0 ? 1 : 0,
        };
      }
      if (command === '-Qu') {
        const lines = [...packages.updates(args)].map(([n, v]) => `${n} ${packages.installed.get(n)} -> ${v}\n`);
        return { stdout: lines.join(''), exitCode: lines.length > 0 ? 0 : 1 };
      }
      if (command === '-Qp') return 'app 1.2.0-1\n';
      if (command === '-S') {
        const unknown = args.find((n) => !packages.available[n]);
        if (unknown) return { stderr: `error: target not found: ${unknown}\n`, exitCode: 1 };
        for (const n of args) packages.install(n);
      } else if (command === '-U') packages.installed.set('app', '1.2.0-1');
      else if (command === '-R') for (const n of args) packages.installed.delete(n);
      else if (command === '-Su') for (const n of packages.updates().keys()) packages.install(n);
      else if (command === '-Sy') host.files.set(SYNC_DB, remote.db);
      else return undefined;
      return '';
    },
  );
  const changing = (ran: string[]) => ran.filter((l) => /^pacman -[SUR]/.test(l));
  return { host, packages, changing, remote };
}

describe('pkg on a pacman host (fake pacman)', () => {
  it('install: pacman -Q first, pacman -S --needed only what is missing, then starts no pacman; latest via -Qu', async () => {
    const { host, packages, changing } = fakePacmanHost('fake-pacman-install');
    const first = fakeContext(host);
    expect(await call(pkgModule, 'install', [['vim', 'bash']], first.ctx)).toMatchObject({
      changed: true,
      changes: { vim: { new: '9.1.0-1' } },
      packages: ['vim'],
    });
    expect(first.ran()[0]).toBe('pacman -Q vim bash');
    expect(changing(first.ran())).toEqual(['pacman -S --noconfirm --needed vim']);
    const again = fakeContext(host);
    expect(await call(pkgModule, 'install', [['vim', 'bash'], { install_recommends: false }], again.ctx)).toMatchObject({
      changed: false,
    });
    expect(changing(again.ran())).toEqual([]);
    packages.installed.set('nginx', '1.26.1-1');
    const latest = fakeContext(host);
    expect(await call(pkgModule, 'install', ['nginx', { state: 'latest' }], latest.ctx)).toMatchObject({
      changes: { nginx: { old: '1.26.1-1', new: '1.26.2-1' } },
    });
    expect(changing(latest.ran())).toEqual(['pacman -S --noconfirm --needed nginx']);
  });

  it('a version pin is a clear error naming pacman; package files go to pacman -U; a failure says what pacman said', async () => {
    const { host, changing } = fakePacmanHost('fake-pacman-pin');
    const pin = await failure(call(pkgModule, 'install', [{ name: 'vim', version: '9.0.0-1' }], fakeContext(host).ctx));
    expect(pin.message).toBe("pkg.install: a version pin ('vim=9.0.0-1') is not supported with pacman");
    expect(pin.hint).toContain('file = "/path/x.pkg.tar.zst"');
    const t = fakeContext(host);
    expect(
      await call(pkgModule, 'install', [{ packages: ['vim'], file: '/tmp/app-1.2.0-1-any.pkg.tar.zst' }], t.ctx),
    ).toMatchObject({
      changes: { vim: { new: '9.1.0-1' }, app: { new: '1.2.0-1' } },
    });
    expect(changing(t.ran())).toEqual([
      'pacman -S --noconfirm --needed vim',
      'pacman -U --noconfirm --needed /tmp/app-1.2.0-1-any.pkg.tar.zst',
    ]);
    const err = await failure(call(pkgModule, 'install', ['nosuch'], fakeContext(host).ctx));
    expect(err.message).toBe('pkg.install: pacman -S failed (exit 1):\nerror: target not found: nosuch');
    const lock = await failure(call(pkgModule, 'remove', ['vim', { lock_timeout: 3 }], fakeContext(host).ctx));
    expect(lock.message).toBe('pkg.remove: lock_timeout is not supported with pacman');
  });

  it('remove maps purge to --nosave; update runs pacman -Sy, upgrade pacman -Su only when -Qu lists updates', async () => {
    const { host, packages, changing, remote } = fakePacmanHost('fake-pacman-remove');
    const t = fakeContext(host);
    expect(await call(pkgModule, 'remove', [['bash', 'vim'], { purge: true }], t.ctx)).toMatchObject({ packages: ['bash'] });
    expect(changing(t.ran())).toEqual(['pacman -R --noconfirm --nosave bash']);
    remote.db = 'core 2';
    const update = fakeContext(host);
    expect(await call(pkgModule, 'update', [], update.ctx)).toMatchObject({ changed: true });
    expect(changing(update.ran())).toEqual(['pacman -Sy --noconfirm']);
    const none = fakeContext(host);
    expect(await call(pkgModule, 'upgrade', [], none.ctx)).toMatchObject({ changed: false });
    expect(none.ran()).toEqual(['pacman -Qu']);
    packages.installed.set('nginx', '1.26.1-1');
    const up = fakeContext(host);
    expect(await call(pkgModule, 'upgrade', [], up.ctx)).toMatchObject({ packages: ['nginx'] });
    expect(changing(up.ran())).toEqual(['pacman -Su --noconfirm']);
  });

  it('parses pacman -Qu (in its format), leaving out ignored updates', () => {
    expect([...parsePacmanUpdates('linux 6.9.7.arch1-1 -> 6.9.8.arch1-1\nnginx 1:1.26-1 -> 1:1.27-1 [ignored]\n')]).toEqual([
      ['linux', '6.9.8.arch1-1'],
    ]);
  });
});
