import { describe, expect, it } from 'vitest';
import { lockHolder, parseSimulation } from './apt-get.js';

describe('apt-get output (recorded from apt 2.6 on Debian 12)', () => {
  it('a simulation lists what it would install or upgrade, with the old version when there is one', () => {
    const out = [
      'NOTE: This is only a simulation!',
      'Inst libfoo1:amd64 (2.0-1 Debian:12.15/oldstable [amd64])',
      'Inst hello [2.10-2] (2.10-3 Debian:12.15/oldstable [amd64])',
      'Conf hello (2.10-3 Debian:12.15/oldstable [amd64])',
      'Inst slothtest-x (1.0-1 local-deb [all])',
    ].join('\n');
    expect([...parseSimulation(out).values()]).toEqual([
      { name: 'libfoo1', old: undefined, new: '2.0-1' },
      { name: 'hello', old: '2.10-2', new: '2.10-3' },
      { name: 'slothtest-x', old: undefined, new: '1.0-1' },
    ]);
  });

  it('a lock apt could not get names the lock file and its holder', () => {
    expect(
      lockHolder(
        'Waiting for cache lock: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 29430 (python3)...\nE: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), is another process using it?',
      ),
    ).toEqual({ path: '/var/lib/dpkg/lock-frontend', holder: 'process 29430 (python3)' });
    expect(lockHolder('E: Could not get lock /var/lib/dpkg/lock - open (11: Resource temporarily unavailable)')).toEqual({
      path: '/var/lib/dpkg/lock',
      holder: 'another process',
    });
    expect(lockHolder('E: Unable to locate package x')).toBeUndefined();
  });
});
