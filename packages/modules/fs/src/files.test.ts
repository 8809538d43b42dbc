import { chmod, lstat, mkdir, mkdtemp, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

describe('fs read / write / append', () => {
  it('writes (creating parent directories), reads back, appends', async () => {
    expect(await fs('write', 'a/b/c.txt', 'hello\n')).toBeUndefined();
    expect(await readFile(join(dir, 'a/b/c.txt'), 'utf8')).toBe('hello\n');
    await fs('append', 'a/b/c.txt', 'world\n');
    await fs('append', 'new/log.txt', 42);
    expect(await fs('read', 'a/b/c.txt')).toBe('hello\nworld\n');
    expect(await fs('read', join(dir, 'new/log.txt'))).toBe('42');
  });

  it('offers read_file / write_file as aliases', async () => {
    await fs('write_file', 'x.txt', 'alias');
    expect(await fs('read_file', 'x.txt')).toBe('alias');
    expect(fsModule.functions.read_file?.doc).toContain('Same as fs.read');
  });

  it('names the missing file, relative to the workdir, when reading fails', async () => {
    const err = await failure(fs('read', 'missing.txt'));
    expect(err.code).toBe('not_found');
    expect(err.message).toBe(`fs.read: no such file or directory '${join(dir, 'missing.txt')}'`);
    expect(err.hint).toContain(`relative paths resolve against the task workdir (${dir})`);
    const alias = await failure(fs('read_file', '/no/such/file'));
    expect(alias.message).toBe("fs.read_file: no such file or directory '/no/such/file'");
  });

  it('says when a path is a directory or sits under a file', async () => {
    await mkdir(join(dir, 'd'));
    await writeFile(join(dir, 'f'), '');
    const isDir = await failure(fs('read', 'd'));
    expect(isDir.code).toBe('invalid_argument');
    expect(isDir.message).toBe(`fs.read: '${join(dir, 'd')}' is a directory`);
    const underFile = await failure(fs('write', 'f/x.txt', 'x'));
    expect(underFile.message).toContain('fs.write: ');
    expect(underFile.code).toBe('invalid_argument');
  });

  it('rejects wrong argument types with the parseArgs message', async () => {
    const table = await failure(fs('write', 'x.txt', { a: 1 }));
    expect(table.code).toBe('invalid_argument');
    expect(table.message).toBe(
      'fs.write: argument #2 (content): expected a string, got table (use json.encode or yaml.encode to write a table)',
    );
    expect(table.hint).toBe('usage: fs.write(path, content)');
    expect((await failure(fs('read', 5))).message).toBe('fs.read: argument #1 (path): expected string, got number');
    expect((await failure(fs('read', ''))).message).toBe('fs.read: argument #1 (path): expected a path, got an empty string');
    expect((await failure(fs('read'))).message).toBe('fs.read: argument #1 (path): expected string, got nil');
  });

  it('does not start once the task is stopped', async () => {
    const controller = new AbortController();
    controller.abort();
    const stopped = testContext({ workdir: dir, signal: controller.signal }).ctx;
    const err = await failure(call(fsModule, 'write', ['x.txt', 'x'], stopped));
    expect(err.code).toBe('aborted');
    expect(await fs('exists', 'x.txt')).toBe(false);
  });
});

describe('fs exists / stat / symlink', () => {
  it('tells whether paths exist', async () => {
    await writeFile(join(dir, 'f'), '');
    expect(await fs('exists', 'f')).toBe(true);
    expect(await fs('exists', '.')).toBe(true);
    expect(await fs('exists', 'nope')).toBe(false);
    expect(await fs('exists', 'f/under-a-file')).toBe(false);
  });

  it('describes files, directories and symlinks', async () => {
    await writeFile(join(dir, 'run.sh'), '#!/bin/sh\n');
    await chmod(join(dir, 'run.sh'), 0o755);
    await mkdir(join(dir, 'd'));
    await fs('symlink', 'run.sh', 'link');
    const file = await fs('stat', 'run.sh');
    expect(file).toEqual({
      size: 10,
      mode: '755',
      is_dir: false,
      is_file: true,
      is_symlink: false,
      mtime: Math.floor((await lstat(join(dir, 'run.sh'))).mtimeMs / 1000),
    });
    expect(await fs('stat', 'd')).toMatchObject({ is_dir: true, is_file: false, is_symlink: false });
    expect(await fs('stat', 'link')).toMatchObject({ size: 10, mode: '755', is_file: true, is_symlink: true });
    const err = await failure(fs('stat', 'nope'));
    expect(err.code).toBe('not_found');
  });

  it('describes a dangling symlink by the link itself', async () => {
    await symlink('gone', join(dir, 'dangling'));
    expect(await fs('stat', 'dangling')).toMatchObject({ is_symlink: true, is_file: false, is_dir: false });
    expect(await fs('exists', 'dangling')).toBe(false);
  });

  it('keeps the symlink target as written and refuses to replace an existing path', async () => {
    await fs('symlink', '../releases/v2', 'links/current');
    expect(await readlink(join(dir, 'links/current'))).toBe('../releases/v2');
    const err = await failure(fs('symlink', 'elsewhere', 'links/current'));
    expect(err.code).toBe('invalid_argument');
    expect(err.message).toBe(`fs.symlink: '${join(dir, 'links/current')}' already exists`);
  });
});
