import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeDirectory, makeDirectorySync } from './make-directory.js';

const dirs: string[] = [];
function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sloth-mkdir-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe.each([
  ['makeDirectorySync', async (p: string, mode?: number) => makeDirectorySync(p, mode)],
  ['makeDirectory', makeDirectory],
])('%s', (_name, make) => {
  it('creates missing levels with the mode, and accepts an existing directory', async () => {
    const dir = scratch();
    const target = join(dir, 'a', 'b', 'c');
    await make(target, 0o700);
    expect(statSync(target).isDirectory()).toBe(true);
    expect(statSync(join(dir, 'a')).mode & 0o777).toBe(0o700);
    await make(target);
    await make(`${dir}/a/../a/b`);
  });

  it('refuses a path that is a file (EEXIST, as Node says) or whose ancestor is one (ENOTDIR), naming it', async () => {
    const dir = scratch();
    writeFileSync(join(dir, 'file'), 'x');
    await expect(make(join(dir, 'file'))).rejects.toMatchObject({ code: 'EEXIST', path: join(dir, 'file') });
    await expect(make(join(dir, 'file', 'sub', 'deeper'))).rejects.toMatchObject({ code: 'ENOTDIR' });
  });

  it('fails at once under /proc, where Node recursive mkdir spins for ever', async () => {
    await expect(make('/proc/sloth-no-such/dir')).rejects.toMatchObject({ code: 'ENOENT', path: '/proc/sloth-no-such' });
  });
});
