import { execFileSync } from 'node:child_process';
import { createModuleContext } from '@sloth/core';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDeb, cleanUp, testPackageName } from './deb.test-helper.js';
import { parseDpkgQuery } from './dpkg-facts.js';
import { fakeHost } from './fake-host.test-helper.js';
import { readPkgResource } from './package-resource.js';

const name = testPackageName();
const deb = buildDeb(name, '3.0-1');
afterAll(() => cleanUp([name]));
const ctx = createModuleContext({ checkMode: true });

describe('the pkg drift hook (stack drift), against dpkg', () => {
  it('reads back an installed package: in sync, then another version, then missing', async () => {
    execFileSync('dpkg', ['-i', deb], { stdio: 'pipe' });
    const recorded = { name, installed: true, version: '3.0-1' };
    expect(await readPkgResource('package', name, recorded, ctx)).toEqual({ exists: true, properties: recorded });
    expect(await readPkgResource('package', name, { ...recorded, version: '2.0-1' }, ctx)).toMatchObject({
      properties: { version: '3.0-1' },
    });
    // Recorded as removed by the workflow, installed since by hand: the property differs.
    expect(await readPkgResource('package', name, { name, installed: false }, ctx)).toEqual({
      exists: true,
      properties: { name, installed: true },
    });
    execFileSync('dpkg', ['--purge', name], { stdio: 'pipe' });
    expect(await readPkgResource('package', name, recorded, ctx)).toEqual({ exists: false });
    expect(await readPkgResource('package', name, { name, installed: false }, ctx)).toEqual({
      exists: true,
      properties: { name, installed: false },
    });
    expect(await readPkgResource('file', name, recorded, ctx)).toBeUndefined();
  });
});

describe('dpkg-query facts (recorded outputs)', () => {
  it('reads installed, removed-with-config and half-installed packages; the installed architecture wins', () => {
    const facts = parseDpkgQuery(
      [
        'bash\tinstall ok installed\t5.2.15-2+b8',
        'apache2\tdeinstall ok config-files\t2.4.62-1',
        'broken\tinstall reinstreq half-installed\t1.0',
        'libc6\tunknown ok not-installed\t',
        'libc6\tinstall ok installed\t2.36-9',
        '',
      ].join('\n'),
    );
    expect(facts.get('bash')).toEqual({ name: 'bash', version: '5.2.15-2+b8', configFiles: false, status: 'installed' });
    expect(facts.get('apache2')).toEqual({ name: 'apache2', version: undefined, configFiles: true, status: 'config-files' });
    expect(facts.get('broken')?.version).toBe('1.0');
    expect(facts.get('libc6')?.version).toBe('2.36-9');
  });
});

describe('the pkg drift hook on another package manager (fake pacman host)', () => {
  it('reads back from pacman -Q: in sync, then missing', async () => {
    const installed = new Map([['nginx', '1.26.1-1']]);
    const host = fakeHost('fake-pacman-drift', 'ID=arch\n', ['/usr/bin/pacman'], (argv) =>
      installed.has('nginx') ? 'nginx 1.26.1-1\n' : { stderr: `error: package '${argv[2]}' was not found\n`, exitCode: 1 },
    );
    const on = createModuleContext({ host, checkMode: true });
    const recorded = { name: 'nginx', installed: true, version: '1.26.1-1' };
    expect(await readPkgResource('package', 'nginx', recorded, on)).toEqual({ exists: true, properties: recorded });
    installed.clear();
    expect(await readPkgResource('package', 'nginx', recorded, on)).toEqual({ exists: false });
    expect(host.ran).toEqual(['pacman -Q nginx', 'pacman -Q nginx']);
  });
});
