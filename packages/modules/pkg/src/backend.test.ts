import { createModuleContext } from '@sloth/core';
import { failure } from '@sloth/core/testing';
import { describe, expect, it } from 'vitest';
import { detectBackend, parseOsRelease, requireManager } from './backend.js';
import { fakeHost } from './fake-host.test-helper.js';

describe('package manager detection', () => {
  it('finds apt on this Debian machine', async () => {
    expect(await detectBackend(createModuleContext())).toEqual({ manager: 'apt', os: 'debian' });
  });

  it('reads ID and ID_LIKE of /etc/os-release (as Ubuntu and Rocky write them)', () => {
    expect(parseOsRelease('NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\n')).toEqual({ id: 'ubuntu', idLike: ['debian'] });
    expect(parseOsRelease('ID="rocky"\nID_LIKE="rhel centos fedora"\n')).toEqual({
      id: 'rocky',
      idLike: ['rhel', 'centos', 'fedora'],
    });
  });

  it('on a fake Alpine host (its os-release and binaries): apk', async () => {
    const ctx = createModuleContext({
      fn: 'pkg.install',
      host: fakeHost('fake-alpine', 'NAME="Alpine Linux"\nID=alpine\n', ['/sbin/apk']),
    });
    expect(await detectBackend(ctx)).toEqual({ manager: 'apk', os: 'alpine' });
    expect(await requireManager(ctx)).toBe('apk');
  });

  it('on a fake Rocky host with dnf and yum: dnf; the family wins over another manager present', async () => {
    const rocky = 'ID="rocky"\nID_LIKE="rhel centos fedora"\n';
    const host = fakeHost('fake-rocky', rocky, ['/usr/bin/dnf', '/usr/bin/yum', '/usr/bin/apt-get']);
    expect(await detectBackend(createModuleContext({ host }))).toEqual({ manager: 'dnf', os: 'rocky' });
  });

  it('with no package manager at all: says which it looked for', async () => {
    const ctx = createModuleContext({ fn: 'pkg.version', host: fakeHost('fake-bare', undefined, []) });
    expect(await detectBackend(ctx)).toEqual({ manager: undefined, os: undefined });
    expect((await failure(requireManager(ctx))).message).toBe(
      'pkg.version: no package manager found (looked for apt-get, dnf, yum, apk, pacman, zypper)',
    );
  });
});
