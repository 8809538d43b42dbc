import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testContext } from './module-testing.js';

const dir = () => mkdtempSync(join(tmpdir(), 'sloth-host-'));
const OLD = new Date('2001-02-03T04:05:06Z');
const asRoot = process.getuid?.() === 0;

describe('the local host: atomic writes', () => {
  it('replaces a file by renaming a temp file over it, leaving no temp file behind', async () => {
    const workdir = dir();
    writeFileSync(join(workdir, 'app.conf'), 'old\n');
    const inode = statSync(join(workdir, 'app.conf')).ino;
    const { ctx } = testContext({ workdir });
    await ctx.host.writeFile('app.conf', 'new\n');
    expect(readFileSync(join(workdir, 'app.conf'), 'utf8')).toBe('new\n');
    expect(statSync(join(workdir, 'app.conf')).ino).not.toBe(inode);
    expect(readdirSync(workdir)).toEqual(['app.conf']);
  });

  it('refuses to replace a directory, and writes into a device instead of replacing it', async () => {
    const workdir = dir();
    mkdirSync(join(workdir, 'd'));
    const { ctx } = testContext({ workdir });
    await expect(ctx.host.writeFile('d', 'x')).rejects.toMatchObject({ code: 'EISDIR', path: join(workdir, 'd') });
    await ctx.host.writeFile('/dev/null', 'x');
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
    expect(readdirSync(workdir)).toEqual(['d']);
  });

  it('keeps the mode of the file it replaces, or sets the one asked for, and creates parents when asked', async () => {
    const workdir = dir();
    writeFileSync(join(workdir, 'secret'), 'a');
    chmodSync(join(workdir, 'secret'), 0o640);
    const { ctx } = testContext({ workdir });
    await ctx.host.writeFile('secret', 'b');
    expect(statSync(join(workdir, 'secret')).mode & 0o7777).toBe(0o640);
    await ctx.host.writeFile('secret', 'c', { mode: 0o600 });
    expect(statSync(join(workdir, 'secret')).mode & 0o7777).toBe(0o600);
    await ctx.host.writeFile('deep/er/file', 'x', { makeParents: true, mode: 0o755 });
    expect(statSync(join(workdir, 'deep/er/file')).mode & 0o7777).toBe(0o755);
    await expect(ctx.host.writeFile('missing/file', 'x')).rejects.toMatchObject({ code: 'ENOENT' });
    // A setuid mode survives the owner given with it (chown clears those bits, so it comes first).
    await ctx.host.writeFile('tool', '#!/bin/sh\n', { mode: 0o4755, uid: 1, gid: 1 });
    expect([statSync(join(workdir, 'tool')).mode & 0o7777, statSync(join(workdir, 'tool')).uid]).toEqual([0o4755, 1]);
  });

  it('writes through a symlink to its file, so the link stays a link', async () => {
    const workdir = dir();
    writeFileSync(join(workdir, 'real'), 'a');
    symlinkSync('real', join(workdir, 'link'));
    const { ctx } = testContext({ workdir });
    await ctx.host.writeFile('link', 'b');
    expect(lstatSync(join(workdir, 'link')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(workdir, 'real'), 'utf8')).toBe('b');
  });

  it('runs validate on the new content before replacing; a failure leaves the target as it was', async () => {
    const workdir = dir();
    writeFileSync(join(workdir, 'conf'), 'good\n');
    const { ctx } = testContext({ workdir });
    const seen: string[] = [];
    await expect(
      ctx.host.writeFile('conf', 'bad\n', {
        mode: 0o600,
        validate: async (temp) => {
          seen.push(readFileSync(temp, 'utf8'), (statSync(temp).mode & 0o777).toString(8));
          throw new Error('rejected');
        },
      }),
    ).rejects.toThrow('rejected');
    expect(seen).toEqual(['bad\n', '600']);
    expect(readFileSync(join(workdir, 'conf'), 'utf8')).toBe('good\n');
    expect(readdirSync(workdir)).toEqual(['conf']);
  });

  it.runIf(asRoot)('rewrites in place a file its user may write in a directory it may not', async () => {
    // As daemon (uid 1): the directory is root's, the file daemon's, so no temp file can be made next to it.
    const workdir = dir();
    chmodSync(workdir, 0o755);
    writeFileSync(join(workdir, 'f'), 'old\n');
    chownSync(join(workdir, 'f'), 1, 0);
    const script = join(dir(), 'write.mjs');
    const host = new URL('../dist/host.js', import.meta.url).pathname;
    writeFileSync(
      script,
      `import { localHost } from ${JSON.stringify(host)};
const h = localHost({ workdir: ${JSON.stringify(workdir)}, env: {}, user: undefined, signal: new AbortController().signal, checkMode: false });
await h.writeFile('f', 'new\\n', { mode: 0o640 });`,
    );
    chmodSync(dirname(script), 0o755);
    chmodSync(script, 0o644);
    execFileSync('runuser', ['-u', 'daemon', '--', process.execPath, script]);
    expect(readFileSync(join(workdir, 'f'), 'utf8')).toBe('new\n');
    expect(statSync(join(workdir, 'f'))).toMatchObject({ uid: 1 });
    expect(statSync(join(workdir, 'f')).mode & 0o777).toBe(0o640);
    expect(readdirSync(workdir)).toEqual(['f']);
  });

  it.runIf(asRoot)('sets the owner and group asked for, and keeps those of the file it replaces', async () => {
    const workdir = dir();
    const { ctx } = testContext({ workdir });
    await ctx.host.writeFile('owned', 'a', { uid: 1, gid: 1 });
    expect(statSync(join(workdir, 'owned'))).toMatchObject({ uid: 1, gid: 1 });
    await ctx.host.writeFile('owned', 'b');
    expect(statSync(join(workdir, 'owned'))).toMatchObject({ uid: 1, gid: 1 });
  });
});

describe('the local host: other changes', () => {
  it('makes directories, symlinks (replacing one atomically), copies, touches and removes', async () => {
    const workdir = dir();
    const { ctx } = testContext({ workdir });
    await ctx.host.mkdir('a/b', { parents: true, mode: 0o750 });
    await ctx.host.mkdir('a/b');
    expect(statSync(join(workdir, 'a/b')).mode & 0o777).toBe(0o750);
    // The mode asked for is the directory's, beyond the umask too (as `mkdir -m`), with or without parents.
    await ctx.host.mkdir('a/open', { mode: 0o1777 });
    await ctx.host.mkdir('a/c/open', { parents: true, mode: 0o777 });
    expect(statSync(join(workdir, 'a/open')).mode & 0o7777).toBe(0o1777);
    expect(statSync(join(workdir, 'a/c/open')).mode & 0o7777).toBe(0o777);
    await expect(ctx.host.mkdir('x/y')).rejects.toMatchObject({ code: 'ENOENT' });
    await ctx.host.symlink('a', 'l');
    await ctx.host.symlink('a/b', 'l');
    expect(readlinkSync(join(workdir, 'l'))).toBe('a/b');
    expect(await ctx.host.readlink('l')).toBe('a/b');
    expect(await ctx.host.lstat('l')).toMatchObject({ type: 'link' });
    expect(await ctx.host.stat('l')).toMatchObject({ type: 'directory' });
    writeFileSync(join(workdir, 'f'), 'data');
    chmodSync(join(workdir, 'f'), 0o604);
    utimesSync(join(workdir, 'f'), OLD, OLD);
    await ctx.host.copyFile('f', 'f.bak');
    expect(statSync(join(workdir, 'f.bak'))).toMatchObject({ mode: statSync(join(workdir, 'f')).mode, mtime: OLD });
    await ctx.host.touch('f');
    expect(statSync(join(workdir, 'f')).mtime.getTime()).toBeGreaterThan(OLD.getTime());
    await ctx.host.touch('new');
    expect(readFileSync(join(workdir, 'new'), 'utf8')).toBe('');
    await ctx.host.chmod('new', 0o600);
    expect(statSync(join(workdir, 'new')).mode & 0o777).toBe(0o600);
    expect(await ctx.host.readdir('.')).toEqual(['a', 'f', 'f.bak', 'l', 'new']);
    await ctx.host.remove('l');
    expect(statSync(join(workdir, 'a/b')).isDirectory()).toBe(true);
    await ctx.host.remove('a', { recursive: true });
    await ctx.host.remove('never-there');
    expect(await ctx.host.readdir('.')).toEqual(['f', 'f.bak', 'new']);
  });

  it('refuses every change in check mode, and still reads', async () => {
    const workdir = dir();
    writeFileSync(join(workdir, 'f'), 'x');
    mkdirSync(join(workdir, 'd'));
    const { ctx } = testContext({ workdir, checkMode: true });
    const changes: [string, () => Promise<unknown>][] = [
      ['write', () => ctx.host.writeFile('f', 'y')],
      ['copy to', () => ctx.host.copyFile('f', 'g')],
      ['change the mode of', () => ctx.host.chmod('f', 0o600)],
      ['change the owner of', () => ctx.host.chown('f', 0, 0)],
      ['create the directory', () => ctx.host.mkdir('e')],
      ['create the symlink', () => ctx.host.symlink('f', 'l')],
      ['remove', () => ctx.host.remove('d', { recursive: true })],
      ['touch', () => ctx.host.touch('f')],
    ];
    for (const [what, change] of changes) {
      await expect(change(), what).rejects.toMatchObject({
        code: 'internal',
        message: expect.stringContaining(`refusing to ${what}`),
      });
    }
    expect(readdirSync(workdir).sort()).toEqual(['d', 'f']);
    expect(readFileSync(join(workdir, 'f'), 'utf8')).toBe('x');
    expect(await ctx.host.readFile('f')).toEqual(Buffer.from('x'));
  });

  it('looks up users and groups by name or id', async () => {
    const { ctx } = testContext();
    expect(await ctx.host.lookupUser('root')).toEqual({ id: 0, name: 'root' });
    expect(await ctx.host.lookupUser(0)).toEqual({ id: 0, name: 'root' });
    expect(await ctx.host.lookupUser('0')).toEqual({ id: 0, name: 'root' });
    expect(await ctx.host.lookupGroup('root')).toEqual({ id: 0, name: 'root' });
    expect(await ctx.host.lookupUser('no-such-user-here')).toBeUndefined();
    expect(await ctx.host.lookupGroup(4242424)).toEqual({ id: 4242424, name: '4242424' });
  });

  it.runIf(asRoot)('sees a user created after an earlier lookup (the parsed passwd file is not kept stale)', async () => {
    const name = `sloth-host-${process.pid}`;
    const { ctx } = testContext();
    expect(await ctx.host.lookupUser(name)).toBeUndefined();
    execFileSync('useradd', ['--no-create-home', '--system', name]);
    try {
      expect(await ctx.host.lookupUser(name)).toMatchObject({ name });
    } finally {
      execFileSync('userdel', [name]);
    }
    expect(await ctx.host.lookupUser(name)).toBeUndefined();
  });

  it.runIf(asRoot)('changes the owner of a file, or of a symlink itself', async () => {
    const workdir = dir();
    writeFileSync(join(workdir, 'f'), 'x');
    symlinkSync('f', join(workdir, 'l'));
    const { ctx } = testContext({ workdir });
    await ctx.host.chown('f', 1, undefined);
    expect(statSync(join(workdir, 'f'))).toMatchObject({ uid: 1, gid: 0 });
    await ctx.host.chown('l', 2, 2, { follow: false });
    expect(lstatSync(join(workdir, 'l'))).toMatchObject({ uid: 2, gid: 2 });
    expect(statSync(join(workdir, 'f'))).toMatchObject({ uid: 1, gid: 0 });
  });
});
