import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Host, HostBinding } from '@sloth/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectOptions } from './connect-options.js';
import { ConnectionPool } from './connection-pool.js';
import { sshHost } from './ssh-host.js';
import { startSshd, type TestSshd } from './sshd.test-helper.js';

let sshd: TestSshd;
let pool: ConnectionPool;
let dir: string;

const binding = (extra: Partial<HostBinding> = {}): HostBinding => ({
  workdir: '/nonexistent-local-workdir',
  env: { PATH: process.env.PATH ?? '' },
  user: undefined,
  signal: new AbortController().signal,
  checkMode: false,
  ...extra,
});
const hostWith = (b: HostBinding, sudo = false): Host =>
  sshHost(
    'web-01',
    (signal) =>
      pool.get(connectOptions.parse({ host: '127.0.0.1', port: sshd.ports[0], user: 'root', key_file: sshd.keyFile }), signal),
    b,
    { sudo },
  );

beforeAll(async () => {
  sshd = await startSshd(1);
  pool = new ConnectionPool(sshd.knownHostsFile);
  dir = mkdtempSync(join(tmpdir(), 'sloth-ssh-host-'));
});
afterAll(async () => {
  await pool?.close();
  await sshd?.close();
});

describe('the host interface over SSH (a real sshd on 127.0.0.1)', () => {
  it('createOrRead creates a missing file with its mode and owner, and leaves what is there, answering with it', async () => {
    const host = hostWith(binding());
    const path = join(dir, 'offered/new.conf');
    const bytes = Buffer.from([0, 1, 2, 255, 10, 13, 0x27, 0x22]);
    expect(await host.createOrRead?.(path, bytes, { makeParents: true, mode: 0o640, uid: 1, gid: 2, maxRead: 64 })).toEqual({
      created: true,
    });
    expect(readFileSync(path)).toEqual(bytes);
    const s = statSync(path);
    expect([s.mode & 0o7777, s.uid, s.gid]).toEqual([0o640, 1, 2]);
    // No temp file is left next to it.
    expect(readdirSync(join(dir, 'offered'))).toEqual(['new.conf']);
    // There now: unchanged, its stat and content back; a file larger than maxRead comes without its content.
    const again = await host.createOrRead?.(path, Buffer.from('other'), { mode: 0o600, maxRead: 64 });
    expect(again).toMatchObject({ created: false, info: { type: 'file', size: bytes.length, mode: 0o640 }, content: bytes });
    expect(readFileSync(path)).toEqual(bytes);
    expect(await host.createOrRead?.(path, Buffer.from('x'), { maxRead: 4 })).toMatchObject({
      created: false,
      info: { type: 'file' },
      content: undefined,
    });
    // A directory is reported as one; an odd mode (setgid) is set exactly; check mode refuses.
    expect(await host.createOrRead?.(dir, Buffer.from('x'), { maxRead: 64 })).toMatchObject({
      created: false,
      info: { type: 'directory' },
    });
    const odd = join(dir, 'offered/odd');
    expect(await host.createOrRead?.(odd, Buffer.from('x'), { mode: 0o2750, maxRead: 64 })).toEqual({ created: true });
    expect(statSync(odd).mode & 0o7777).toBe(0o2750);
    await expect(
      hostWith(binding({ checkMode: true })).createOrRead?.(join(dir, 'offered/no'), Buffer.from('x'), { maxRead: 1 }),
    ).rejects.toThrow(/check mode/);
  });

  it('writes a file atomically with mode and owner, reads it back byte for byte, and stats it', async () => {
    const host = hostWith(binding());
    const path = join(dir, 'sub/dir/app.conf');
    const bytes = Buffer.from([0, 1, 2, 255, 10, 13, 0x27, 0x22]);
    await host.writeFile(path, bytes, { makeParents: true, mode: 0o640, uid: 1, gid: 2 });
    expect(readFileSync(path)).toEqual(bytes);
    const s = statSync(path);
    expect([s.mode & 0o7777, s.uid, s.gid]).toEqual([0o640, 1, 2]);
    expect(await host.readFile(path)).toEqual(bytes);
    // Names come with the stat (uid 1 and gid 2 are daemon and bin on Debian).
    expect(await host.stat(path)).toMatchObject({
      type: 'file',
      size: bytes.length,
      mode: 0o640,
      uid: 1,
      gid: 2,
      owner: 'daemon',
      group: 'bin',
    });
    expect(await host.stat(join(dir, 'missing'))).toBeUndefined();
    expect(await host.stat(join(path, 'under-a-file'))).toBeUndefined();
    // A rewrite keeps the mode and owner of the file it replaces.
    await host.writeFile(path, 'two');
    expect(readFileSync(path, 'utf8')).toBe('two');
    expect([statSync(path).mode & 0o7777, statSync(path).uid]).toEqual([0o640, 1]);
    // A new file gets 0666 less the remote umask (sshd's sessions: 022), and no temp file is left behind.
    await host.writeFile(join(dir, 'sub/new.txt'), 'n');
    expect(statSync(join(dir, 'sub/new.txt')).mode & 0o777).toBe(0o644);
    expect(readdirSync(join(dir, 'sub')).filter((f) => f.includes('.sloth-'))).toEqual([]);
    // A mode with execute or setuid bits is set as asked, after the owner (chown clears the setuid bit); a rewrite
    // with a mode a umask can give replaces the old one.
    const tool = join(dir, 'sub/tool');
    await host.writeFile(tool, '#!/bin/sh\n', { mode: 0o4755, uid: 1, gid: 1 });
    expect([statSync(tool).mode & 0o7777, statSync(tool).uid]).toEqual([0o4755, 1]);
    await host.writeFile(tool, 'plain', { mode: 0o604 });
    expect([statSync(tool).mode & 0o7777, statSync(tool).uid]).toEqual([0o604, 1]);
  });

  it('refuses to write over a directory, even with a streamed body, and writes a device in place', async () => {
    const host = hostWith(binding());
    mkdirSync(join(dir, 'a-dir'));
    async function* chunks() {
      for (let i = 0; i < 64; i++) yield Buffer.alloc(64 * 1024, i);
    }
    await expect(host.writeFile(join(dir, 'a-dir'), chunks())).rejects.toMatchObject({ code: 'EISDIR' });
    expect(readdirSync(join(dir, 'a-dir'))).toEqual([]);
    await host.writeFile('/dev/null', 'discarded');
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
  });

  it('writes through a symlink to its file, and streams chunked content', async () => {
    const host = hostWith(binding());
    const real = join(dir, 'real.txt');
    const link = join(dir, 'link.txt');
    writeFileSync(real, 'old');
    symlinkSync(real, link);
    async function* chunks() {
      yield Buffer.from('new ');
      yield Buffer.from('content');
    }
    await host.writeFile(link, chunks());
    expect(readFileSync(real, 'utf8')).toBe('new content');
    expect(await host.lstat(link)).toMatchObject({ type: 'link' });
    expect(await host.readlink(link)).toBe(real);
  });

  it('makes directories, symlinks, copies, modes, owners; lists and removes', async () => {
    const host = hostWith(binding());
    const d = join(dir, 'tree');
    await host.mkdir(d, { mode: 0o750 });
    await host.mkdir(d); // already there: nothing
    expect(statSync(d).mode & 0o7777).toBe(0o750);
    // The mode asked for is the directory's, beyond the umask (022 here) too; parents made get the default.
    await host.mkdir(join(d, 'p/open'), { parents: true, mode: 0o1777 });
    expect(statSync(join(d, 'p/open')).mode & 0o7777).toBe(0o1777);
    expect(statSync(join(d, 'p')).mode & 0o7777).toBe(0o755);
    await host.writeFile(join(d, 'a'), 'A', { mode: 0o600 });
    await host.copyFile(join(d, 'a'), join(d, '.b'));
    expect(statSync(join(d, '.b')).mode & 0o7777).toBe(0o600);
    await host.symlink('a', join(d, 'c'));
    await host.symlink('.b', join(d, 'c'));
    expect(await host.readlink(join(d, 'c'))).toBe('.b');
    await host.chmod(join(d, 'a'), 0o644);
    await host.chown(join(d, 'a'), 3, undefined);
    expect([statSync(join(d, 'a')).mode & 0o7777, statSync(join(d, 'a')).uid]).toEqual([0o644, 3]);
    await host.touch(join(d, 'new'));
    expect(await host.readdir(d)).toEqual(['.b', 'a', 'c', 'new', 'p']);
    await host.remove(d, { recursive: true });
    expect(await host.stat(d)).toBeUndefined();
    await host.remove(d); // already gone: nothing
  });

  it('fails as Node fs does (code and path), naming the host', async () => {
    const host = hostWith(binding());
    const err = (await host.readFile(join(dir, 'nope')).catch((e: unknown) => e)) as NodeJS.ErrnoException;
    expect(err.code).toBe('ENOENT');
    expect(err.message).toMatch(/^ENOENT: .*No such file or directory, '.*nope' on web-01$/);
    const isDir = (await host.writeFile(dir, 'x').catch((e: unknown) => e)) as NodeJS.ErrnoException;
    expect(isDir.code).toBe('EISDIR');
  });

  it('refuses every change in check mode, and reads facts', async () => {
    const host = hostWith(binding({ checkMode: true }));
    await expect(host.writeFile(join(dir, 'never'), 'x')).rejects.toThrow(/refusing to write .*never' on web-01 in check mode/);
    await expect(host.remove(dir)).rejects.toThrow(/in check mode/);
    expect(await host.stat(dir)).toMatchObject({ type: 'directory' });
    expect(await host.lookupUser('root')).toEqual({ id: 0, name: 'root' });
    expect(await host.lookupUser(0)).toEqual({ id: 0, name: 'root' });
    expect(await host.lookupUser('no-such-user-here')).toBeUndefined();
    expect(await host.lookupGroup('root')).toEqual({ id: 0, name: 'root' });
  });

  it('runs commands: argv lists quoted, added environment only, cwd, stdin; a local workdir is not sent', async () => {
    const host = hostWith(binding({ env: { PATH: process.env.PATH ?? '', LOCAL_ONLY: 'here' } }));
    const r = await host.run(['printf', '%s|', "it's", 'a b', '$HOME'], {});
    expect(r.stdout).toBe("it's|a b|$HOME|");
    const env = await host.run('echo "${LOCAL_ONLY:-unset} $ADDED $(pwd)"', {
      env: { PATH: process.env.PATH ?? '', LOCAL_ONLY: 'here', ADDED: 'yes' },
      cwd: '/nonexistent-local-workdir',
    });
    expect(env.stdout).toBe('unset yes /root\n');
    const cwd = await host.run('pwd; cat', { cwd: dir, stdin: 'in' });
    expect(cwd.stdout).toBe(`${dir}\nin`);
  });

  it('runs as root through sudo -n when asked (become)', async () => {
    const host = hostWith(binding(), true);
    const r = await host.run('id -u; echo "$SUDO_USER"');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('0\nroot\n');
  });
});
