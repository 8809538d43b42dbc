import type { Host } from '@sloth/core';
import { createModuleContext } from '@sloth/core';
import { failure } from '@sloth/core/testing';
import { describe, expect, it } from 'vitest';
import { detectBackend, parseOsRelease, requireApt } from './backend.js';

// A recorded fake host: the /etc/os-release and binaries of another distribution (this machine is Debian).
function recordedHost(name: string, osRelease: string | undefined, binaries: string[]): Host {
  const files = new Map<string, string>(osRelease === undefined ? [] : [['/etc/os-release', osRelease]]);
  for (const b of binaries) files.set(b, '');
  return {
    name,
    run: () => Promise.reject(new Error('a recorded host runs nothing')),
    readFile: async (path) => Buffer.from(files.get(path) ?? ''),
    writeFile: () => Promise.reject(new Error('read-only')),
    stat: async (path) => (files.has(path) ? { type: 'file', size: 0, mode: 0o755, uid: 0, gid: 0, mtimeMs: 0 } : undefined),
  };
}

describe('package manager detection', () => {
  it('finds apt on this Debian machine', async () => {
    expect(await detectBackend(createModuleContext())).toEqual({ manager: 'apt', os: 'debian' });
  });

  it('reads ID and ID_LIKE of /etc/os-release (recorded from Ubuntu 24.04 and Rocky 9)', () => {
    expect(parseOsRelease('NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\n')).toEqual({ id: 'ubuntu', idLike: ['debian'] });
    expect(parseOsRelease('ID="rocky"\nID_LIKE="rhel centos fedora"\n')).toEqual({
      id: 'rocky',
      idLike: ['rhel', 'centos', 'fedora'],
    });
  });

  it('on a recorded Alpine host: apk, which pkg says it does not support yet', async () => {
    const ctx = createModuleContext({
      fn: 'pkg.install',
      host: recordedHost('recorded-alpine', 'NAME="Alpine Linux"\nID=alpine\n', ['/sbin/apk']),
    });
    expect(await detectBackend(ctx)).toEqual({ manager: 'apk', os: 'alpine' });
    const err = await failure(requireApt(ctx));
    expect(err.message).toBe('pkg.install: the package manager here on alpine is apk, which pkg does not support yet');
  });

  it('on a recorded Rocky host with dnf and yum: dnf; the family wins over another manager present', async () => {
    const rocky = 'ID="rocky"\nID_LIKE="rhel centos fedora"\n';
    const host = recordedHost('recorded-rocky', rocky, ['/usr/bin/dnf', '/usr/bin/yum', '/usr/bin/apt-get']);
    expect(await detectBackend(createModuleContext({ host }))).toEqual({ manager: 'dnf', os: 'rocky' });
  });

  it('with no package manager at all: says which it looked for', async () => {
    const ctx = createModuleContext({ fn: 'pkg.version', host: recordedHost('recorded-bare', undefined, []) });
    expect(await detectBackend(ctx)).toEqual({ manager: undefined, os: undefined });
    expect((await failure(requireApt(ctx))).message).toBe(
      'pkg.version: no package manager found (looked for apt-get, dnf, yum, apk, pacman, zypper)',
    );
  });
});
