import { chmod, lstat, mkdir, readdir, readlink, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { call, failure } from '@sloth/core/testing';
import { describe, expect, it } from 'vitest';
import { contextIn, OLD, tempDir } from './file-ops.test-helper.js';
import { fileModule, fileOpsModule } from './file-ops-module.js';

type Ctx = Parameters<typeof call>[3];
const file = (ctx: Ctx, opts: Record<string, unknown>) =>
  call(fileOpsModule, 'file', [opts], ctx) as Promise<Record<string, unknown>>;
const asRoot = process.getuid?.() === 0;

describe('file_ops.file', () => {
  it('state = directory creates it with its parents and mode, then finds nothing to do; check mode creates nothing', async () => {
    const dir = await tempDir();
    const { ctx: check } = contextIn(dir, { checkMode: true });
    expect(await file(check, { path: 'srv/app/releases', state: 'directory', mode: '0750' })).toMatchObject({
      changed: true,
      check_mode: true,
      changes: { state: { old: 'absent', new: 'directory' } },
    });
    expect(await readdir(dir)).toEqual([]);
    const { ctx, resources } = contextIn(dir);
    const first = await file(ctx, { path: 'srv/app/releases', state: 'directory', mode: '0750' });
    expect(first).toMatchObject({ changed: true, path: join(dir, 'srv/app/releases'), state: 'directory', mode: '0750' });
    expect((await stat(join(dir, 'srv/app/releases'))).mode & 0o7777).toBe(0o750);
    expect(resources[0]?.record).toEqual({ path: join(dir, 'srv/app/releases'), mode: '0750' });
    expect(await file(ctx, { path: 'srv/app/releases', state: 'directory', mode: 488 })).toMatchObject({
      changed: false,
      changes: {},
    });
    expect(await file(ctx, { path: 'srv/app/releases', state: 'directory', mode: '0755' })).toMatchObject({
      changed: true,
      changes: { mode: { old: '0750', new: '0755' } },
    });
  });

  it('state = directory reads the path once (each read is a round trip to a host over SSH), a symlink twice', async () => {
    const dir = await tempDir();
    const { ctx } = contextIn(dir);
    const reads: string[] = [];
    const counted = {
      ...ctx,
      host: {
        ...ctx.host,
        stat: (path: string) => {
          reads.push(`stat ${path}`);
          return ctx.host.stat(path);
        },
        lstat: (path: string) => {
          reads.push(`lstat ${path}`);
          return ctx.host.lstat(path);
        },
      },
    };
    const path = join(dir, 'srv');
    expect(await file(counted, { path: 'srv', state: 'directory', mode: '0750' })).toMatchObject({ changed: true });
    expect(reads).toEqual([`lstat ${path}`]);
    reads.length = 0;
    expect(await file(counted, { path: 'srv', state: 'directory', mode: '0750' })).toMatchObject({ changed: false });
    expect(reads).toEqual([`lstat ${path}`]);
    await symlink(path, join(dir, 'www'));
    reads.length = 0;
    expect(await file(counted, { path: 'www', state: 'directory', mode: '0755' })).toMatchObject({
      changed: true,
      changes: { mode: { old: '0750', new: '0755' } },
    });
    expect(reads).toEqual([`lstat ${join(dir, 'www')}`, `stat ${join(dir, 'www')}`]);
    expect((await stat(path)).mode & 0o7777).toBe(0o755);
  });

  it('state = directory through a symlink manages the directory it points to; a symlink to a file is an error', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'srv-www'), { mode: 0o700 });
    await chmod(join(dir, 'srv-www'), 0o700);
    await symlink('srv-www', join(dir, 'www'));
    await writeFile(join(dir, 'plain'), 'x');
    await symlink('plain', join(dir, 'to-file'));
    const { ctx } = contextIn(dir);
    const r = await file(ctx, { path: 'www', state: 'directory', mode: '0755' });
    expect(r).toMatchObject({ changed: true, changes: { mode: { old: '0700', new: '0755' } } });
    expect((await stat(join(dir, 'srv-www'))).mode & 0o7777).toBe(0o755);
    expect((await lstat(join(dir, 'www'))).isSymbolicLink()).toBe(true);
    expect((await failure(file(ctx, { path: 'to-file', state: 'directory' }))).message).toBe(
      `file_ops.file: '${join(dir, 'to-file')}' exists and is a symlink to a file, not a directory`,
    );
  });

  it('state = file sets the attributes of an existing file and refuses a missing one; touch always changes', async () => {
    const dir = await tempDir();
    const path = join(dir, 'f');
    const { ctx } = contextIn(dir);
    const missing = await failure(file(ctx, { path: 'f', mode: '0600' }));
    expect(missing).toMatchObject({
      code: 'not_found',
      message: `file_ops.file: '${path}' does not exist, and state = "file" does not create it`,
    });
    expect(await file(ctx, { path: 'f', state: 'touch' })).toMatchObject({
      changed: true,
      changes: { times: { old: undefined, new: 'now' } },
    });
    await utimes(path, OLD, OLD);
    expect(await file(ctx, { path: 'f', mode: '0600' })).toMatchObject({ changed: true, changes: { mode: { new: '0600' } } });
    expect((await stat(path)).mtime).toEqual(OLD);
    expect(await file(ctx, { path: 'f', mode: '0600' })).toMatchObject({ changed: false });
    const touched = await file(ctx, { path: 'f', state: 'touch', mode: '0600' });
    expect(touched).toMatchObject({ changed: true, changes: { times: { old: OLD.toISOString(), new: 'now' } } });
    expect((await stat(path)).mtime.getTime()).toBeGreaterThan(OLD.getTime());
  });

  it.runIf(asRoot)('a setuid mode survives a change of owner (chown clears the bit), then nothing is left to do', async () => {
    const dir = await tempDir();
    const path = join(dir, 'tool');
    await writeFile(path, '#!/bin/sh\n');
    await chmod(path, 0o4755);
    const { ctx } = contextIn(dir);
    const opts = { path: 'tool', mode: '4755', owner: 'daemon', group: 'daemon' };
    expect(await file(ctx, opts)).toMatchObject({ changed: true, changes: { owner: { old: 'root', new: 'daemon' } } });
    expect((await stat(path)).mode & 0o7777).toBe(0o4755);
    expect(await file(ctx, opts)).toMatchObject({ changed: false });
  });

  it('state = link points a symlink at src (replacing one pointing elsewhere); a file in the way is an error', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'v1'));
    await mkdir(join(dir, 'v2'));
    const { ctx } = contextIn(dir);
    expect(await file(ctx, { path: 'current', state: 'link', src: 'v1' })).toMatchObject({
      changed: true,
      changes: { src: { old: undefined, new: 'v1' } },
    });
    expect(await file(ctx, { path: 'current', state: 'link', src: 'v1' })).toMatchObject({ changed: false });
    const moved = (await call(fileModule, 'symlink', ['v2', 'current'], ctx)) as Record<string, unknown>;
    expect(moved).toMatchObject({ changed: true, changes: { src: { old: 'v1', new: 'v2' } }, src: 'v2' });
    expect(await readlink(join(dir, 'current'))).toBe('v2');
    const { ctx: check } = contextIn(dir, { checkMode: true });
    const preview = (await call(fileModule, 'symlink', ['v1', 'current'], check)) as Record<string, unknown>;
    expect(preview).toMatchObject({ changed: true, check_mode: true, changes: { src: { old: 'v2', new: 'v1' } } });
    expect(await readlink(join(dir, 'current'))).toBe('v2');
    const inTheWay = await failure(file(ctx, { path: 'v1', state: 'link', src: 'v2' }));
    expect(inTheWay.message).toBe(`file_ops.file: '${join(dir, 'v1')}' exists and is a directory, not a symlink`);
    expect((await failure(file(ctx, { path: 'x', state: 'link' }))).message).toBe(
      'file_ops.file: state = "link" needs src, the path the link points to',
    );
  });

  it('state = absent removes a file, a symlink (not its target) or a directory tree; nothing there: no change', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'tree/deep'), { recursive: true });
    await writeFile(join(dir, 'tree/deep/f'), 'x');
    await symlink('tree', join(dir, 'link'));
    const { ctx } = contextIn(dir);
    expect(await file(ctx, { path: 'link', state: 'absent' })).toMatchObject({
      changed: true,
      changes: { state: { old: 'link', new: 'absent' } },
    });
    expect((await stat(join(dir, 'tree/deep/f'))).isFile()).toBe(true);
    const { ctx: check } = contextIn(dir, { checkMode: true });
    expect(await file(check, { path: 'tree', state: 'absent' })).toMatchObject({ changed: true });
    expect(await readdir(dir)).toEqual(['tree']);
    expect(await file(ctx, { path: 'tree', state: 'absent' })).toMatchObject({
      changed: true,
      changes: { state: { old: 'directory' } },
    });
    expect(await file(ctx, { path: 'tree', state: 'absent' })).toMatchObject({ changed: false, changes: {} });
    expect(await readdir(dir)).toEqual([]);
  });

  it.runIf(asRoot)('recurse sets owner, group and mode on everything below, counting what differed', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'app/sub'), { recursive: true });
    await writeFile(join(dir, 'app/sub/f'), 'x');
    await chmod(join(dir, 'app/sub/f'), 0o644);
    await symlink('/etc/passwd', join(dir, 'app/link'));
    const { ctx } = contextIn(dir);
    const opts = { path: 'app', state: 'directory', owner: 'daemon', group: 'daemon', mode: '0755', recurse: true };
    const r = await file(ctx, opts);
    expect(r).toMatchObject({ changed: true, changes: { owner: { old: 'root', new: 'daemon' }, below: { old: 3, new: 0 } } });
    for (const p of ['app', 'app/sub', 'app/sub/f']) expect(await stat(join(dir, p))).toMatchObject({ uid: 1, gid: 1 });
    expect((await stat(join(dir, 'app/sub/f'))).mode & 0o7777).toBe(0o755);
    expect(await lstat(join(dir, 'app/link'))).toMatchObject({ uid: 1 });
    expect(await stat('/etc/passwd')).toMatchObject({ uid: 0 });
    expect(await file(ctx, opts)).toMatchObject({ changed: false, changes: {} });
  });
});
