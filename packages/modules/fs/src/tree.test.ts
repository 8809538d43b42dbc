import { access, mkdir, mkdtemp, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { call, failure, testContext } from '@sloth/core/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fsModule } from './fs-module.js';

let dir: string;
let ctx: ReturnType<typeof testContext>['ctx'];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sloth-fs-'));
  ctx = testContext({ workdir: dir }).ctx;
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const fs = (name: string, ...args: unknown[]) => call(fsModule, name, args, ctx);

async function files(entries: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(entries)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), content);
  }
}

describe('fs mkdir / rm / rmr / ls', () => {
  it('creates nested directories and accepts existing ones', async () => {
    await fs('mkdir', 'a/b/c');
    await fs('mkdir', 'a/b/c');
    expect((await stat(join(dir, 'a/b/c'))).isDirectory()).toBe(true);
    await files({ file: '' });
    expect((await failure(fs('mkdir', 'file'))).message).toBe(`fs.mkdir: '${join(dir, 'file')}' already exists`);
  });

  it('rm removes files, links and empty directories; a missing path is an error naming it', async () => {
    await files({ f: '', 'full/x': '' });
    await mkdir(join(dir, 'empty'));
    await symlink('full', join(dir, 'link'));
    for (const p of ['f', 'empty', 'link']) await fs('rm', p);
    expect(await fs('ls', '.')).toEqual(['full']);
    const missing = await failure(fs('rm', 'f'));
    expect(missing.code).toBe('not_found');
    expect(missing.message).toBe(`fs.rm: no such file or directory '${join(dir, 'f')}'`);
    const full = await failure(fs('rm', 'full'));
    expect(full.message).toBe(`fs.rm: directory '${join(dir, 'full')}' is not empty`);
    expect(full.hint).toContain('fs.rmr');
  });

  it('rmr removes trees, accepts missing paths and refuses /', async () => {
    await files({ 'tree/a/b/c.txt': 'x', 'tree/d.txt': 'y' });
    await fs('rmr', 'tree');
    await fs('rmr', 'tree');
    expect(await fs('exists', 'tree')).toBe(false);
    // An already-stopped task as a safety net: were the guard missing, fs.rmr would refuse to start rather than wipe the machine.
    const controller = new AbortController();
    controller.abort();
    const stopped = testContext({ workdir: dir, signal: controller.signal }).ctx;
    const root = await failure(call(fsModule, 'rmr', ['../'.repeat(20)], stopped));
    expect(root.code).toBe('invalid_argument');
    expect(root.message).toContain("refusing to remove '/'");
  });

  it('ls lists names (hidden included) sorted, and names a missing directory', async () => {
    await files({ 'd/b.txt': '', 'd/a.txt': '', 'd/.hidden': '', 'd/C.txt': '', 'd/sub/x': '' });
    expect(await fs('ls', 'd')).toEqual(['.hidden', 'C.txt', 'a.txt', 'b.txt', 'sub']);
    expect((await failure(fs('ls', 'nope'))).code).toBe('not_found');
    expect((await failure(fs('ls', 'd/a.txt'))).message).toBe(`fs.ls: not a directory: '${join(dir, 'd/a.txt')}'`);
  });
});

describe('fs copy / move', () => {
  it('copies a file and a tree, replacing files at the destination, and is repeatable', async () => {
    await files({ 'src/a.txt': 'A', 'src/sub/b.txt': 'B', 'dst/a.txt': 'old' });
    await symlink('a.txt', join(dir, 'src/link'));
    await fs('copy', 'src', 'dst');
    await fs('copy', 'src', 'dst');
    expect(await fs('ls', 'dst')).toEqual(['a.txt', 'link', 'sub']);
    expect(await readFile(join(dir, 'dst/a.txt'), 'utf8')).toBe('A');
    expect(await readlink(join(dir, 'dst/link'))).toBe('a.txt');
    await fs('copy', 'src/a.txt', 'deep/new/name.txt');
    expect(await fs('read', 'deep/new/name.txt')).toBe('A');
  });

  it("copies into a directory only when dst ends with '/'", async () => {
    await files({ 'a.conf': 'conf' });
    await mkdir(join(dir, 'etc'));
    await fs('copy', 'a.conf', 'etc/');
    expect(await fs('read', 'etc/a.conf')).toBe('conf');
    const err = await failure(fs('copy', 'a.conf', 'etc'));
    expect(err.code).toBe('invalid_argument');
    expect(err.message).toBe(`fs.copy: destination '${join(dir, 'etc')}' is a directory`);
    expect(err.hint).toBe(`end it with '/' to put the file inside: fs.copy("a.conf", "etc/")`);
  });

  it('names a missing source', async () => {
    const err = await failure(fs('copy', 'ghost', 'x'));
    expect(err.code).toBe('not_found');
    expect(err.message).toBe(`fs.copy: no such file or directory '${join(dir, 'ghost')}'`);
    expect((await failure(fs('move', 'ghost', 'x'))).message).toBe(`fs.move: no such file or directory '${join(dir, 'ghost')}'`);
  });

  it('moves files and directories, creating parents', async () => {
    await files({ 'build/app/main.js': 'js', 'report.html': 'r' });
    await fs('move', 'build/app', 'dist/v1/app');
    await fs('move', 'report.html', 'archive/');
    expect(await fs('read', 'dist/v1/app/main.js')).toBe('js');
    expect(await fs('read', 'archive/report.html')).toBe('r');
    expect(await fs('exists', 'build/app')).toBe(false);
    expect(await fs('exists', 'report.html')).toBe(false);
  });
});

// /dev/shm is usually a tmpfs, a different filesystem from the temp dir: rename fails there with EXDEV.
const shm = '/dev/shm';
const crossDevice = await access(shm).then(
  async () => (await stat(shm)).dev !== (await stat(tmpdir())).dev,
  () => false,
);

describe('fs move across filesystems', () => {
  it.skipIf(!crossDevice)('falls back to copy and remove', async () => {
    await files({ 'tree/a.txt': 'A', 'tree/sub/b.txt': 'B' });
    const target = join(shm, `sloth-fs-test-${process.pid}-${Date.now()}`);
    try {
      await fs('move', 'tree', target);
      expect(await readFile(join(target, 'sub/b.txt'), 'utf8')).toBe('B');
      expect(await fs('exists', 'tree')).toBe(false);
    } finally {
      await rm(target, { recursive: true, force: true });
    }
  });
});

describe('fs glob', () => {
  it('returns matches sorted, relative to the workdir, with directories and without dot files', async () => {
    await files({ 'z.lua': '', 'a/y.lua': '', 'a/b/x.lua': '', 'B.lua': '', '.hidden.lua': '', 'a/readme.md': '' });
    expect(await fs('glob', '**/*.lua')).toEqual(['B.lua', 'a/b/x.lua', 'a/y.lua', 'z.lua']);
    expect(await fs('glob', '*')).toEqual(['B.lua', 'a', 'z.lua']);
    expect(await fs('glob', 'a/*.{md,lua}')).toEqual(['a/readme.md', 'a/y.lua']);
    expect(await fs('glob', '.*.lua')).toEqual(['.hidden.lua']);
    expect(await fs('glob', 'nothing/*')).toEqual([]);
  });

  it('returns absolute paths for an absolute pattern', async () => {
    await files({ 'q/1.txt': '', 'q/2.txt': '' });
    const found = (await fs('glob', join(dir, 'q/*.txt'))) as string[];
    expect(found).toEqual([join(dir, 'q/1.txt'), join(dir, 'q/2.txt')]);
  });

  it('rejects an empty pattern', async () => {
    expect((await failure(fs('glob', ''))).message).toBe(
      'fs.glob: argument #1 (pattern): expected a pattern, got an empty string',
    );
  });
});

describe('fs path names', () => {
  it('tmpname gives a fresh absolute path that does not exist yet', async () => {
    const a = (await fs('tmpname')) as string;
    const b = (await fs('tmpname')) as string;
    expect(isAbsolute(a)).toBe(true);
    expect(a).not.toBe(b);
    expect(await fs('exists', a)).toBe(false);
    expect((await failure(fs('tmpname', 'extra'))).message).toBe('fs.tmpname: takes 0 argument(s), got 1');
  });

  it('basename and dirname work on the text', async () => {
    expect(await fs('basename', 'a/b/c.txt')).toBe('c.txt');
    expect(await fs('basename', '/srv/app/')).toBe('app');
    expect(await fs('dirname', 'a/b/c.txt')).toBe('a/b');
    expect(await fs('dirname', 'c.txt')).toBe('.');
  });
});
