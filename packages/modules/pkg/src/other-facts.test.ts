import { createModuleContext } from '@sloth/core';
import { call } from '@sloth/core/testing';
import { describe, expect, it } from 'vitest';
import { fakeHost } from './fake-host.test-helper.js';
import { globToRegExp, parseApkDatabase, parsePacmanQuery, parseRpmQuery } from './other-facts.js';
import { pkgModule } from './pkg-module.js';

// No rpm, apk or pacman host here: their outputs are written in the formats those tools print (not recorded).
const RPM = 'bash\t0:5.1.8-9.el9\nnginx\t2:1.20.1-14.el9_2.1\ngpg-pubkey\t0:8483c65d-5ccc5b19\n';
const APK = 'C:Q1abc=\nP:musl\nV:1.2.4-r2\nA:x86_64\n\nC:Q1def=\nP:nginx\nV:1.24.0-r7\nA:x86_64\nD:so:libc.musl-x86_64.so.1\n\n';
const PACMAN = 'bash 5.2.026-2\nnginx 1.26.1-1\n';

describe('facts of other package managers (formats as their tools print them)', () => {
  it('parses rpm -q with a query format (a zero epoch left out), apk databases and pacman -Q', () => {
    expect([...parseRpmQuery(RPM)]).toEqual([
      ['bash', '5.1.8-9.el9'],
      ['nginx', '2:1.20.1-14.el9_2.1'],
      ['gpg-pubkey', '8483c65d-5ccc5b19'],
    ]);
    expect([...parseApkDatabase(APK)]).toEqual([
      ['musl', '1.2.4-r2'],
      ['nginx', '1.24.0-r7'],
    ]);
    expect([...parsePacmanQuery(PACMAN)]).toEqual([
      ['bash', '5.2.026-2'],
      ['nginx', '1.26.1-1'],
    ]);
  });

  it('matches globs as the shell does', () => {
    expect(globToRegExp('lib*ssl?').test('libopenssl3')).toBe(true);
    expect(globToRegExp('lib*ssl?').test('libssl')).toBe(false);
    expect(globToRegExp('g++*').test('g++-12')).toBe(true);
  });

  it('on fake rpm, apk and pacman hosts: version, is_installed, info and list_installed read the database', async () => {
    const hosts = [
      fakeHost('fake-rocky', 'ID="rocky"\nID_LIKE="rhel centos fedora"\n', ['/usr/bin/dnf'], {
        'rpm -qa --qf %{NAME}\\t%{EPOCHNUM}:%{VERSION}-%{RELEASE}\\n': RPM,
        'rpm -q --qf %{NAME}\\t%{EPOCHNUM}:%{VERSION}-%{RELEASE}\\n nginx': 'nginx\t2:1.20.1-14.el9_2.1\n',
      }),
      fakeHost('fake-alpine', 'ID=alpine\n', { '/sbin/apk': '', '/lib/apk/db/installed': APK }),
      fakeHost('fake-arch', 'ID=arch\n', ['/usr/bin/pacman'], { 'pacman -Q': PACMAN, 'pacman -Q nginx': 'nginx 1.26.1-1\n' }),
    ];
    const expected = [
      ['dnf', '2:1.20.1-14.el9_2.1'],
      ['apk', '1.24.0-r7'],
      ['pacman', '1.26.1-1'],
    ];
    for (const [i, host] of hosts.entries()) {
      const ctx = createModuleContext({ host });
      const [manager, nginx] = expected[i] as [string, string];
      expect(await call(pkgModule, 'manager', [], ctx)).toBe(manager);
      expect(await call(pkgModule, 'version', ['nginx'], ctx)).toBe(nginx);
      expect(await call(pkgModule, 'version', ['absent'], ctx)).toBeUndefined();
      expect(await call(pkgModule, 'is_installed', ['nginx'], ctx)).toBe(true);
      expect(await call(pkgModule, 'list_installed', ['ng*'], ctx)).toEqual([{ name: 'nginx', version: nginx }]);
      expect(await call(pkgModule, 'info', ['nginx'], ctx)).toEqual({ name: 'nginx', installed: true, version: nginx });
    }
  });
});
