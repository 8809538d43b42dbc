import { chmod, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256Hex } from '@sloth/core';
import { call } from '@sloth/core/testing';
import { describe, expect, it } from 'vitest';
import { contextIn, tempDir } from './file-ops.test-helper.js';
import { fileModule, fileOpsModule } from './file-ops-module.js';

// Ownership is set and read as root (as in CI).
const asRoot = process.getuid?.() === 0;
const readBack = fileOpsModule.readResource as NonNullable<typeof fileOpsModule.readResource>;

describe('file_ops readResource (stack drift hook)', () => {
  it.runIf(asRoot)('reads back what copy recorded, and sees an edit, a chmod and a removal behind its back', async () => {
    const dir = await tempDir();
    const { ctx, resources } = contextIn(dir);
    await call(fileOpsModule, 'copy', [{ content: 'a=1\n', dest: 'app.conf', mode: '0640', owner: 'root', group: 0 }], ctx);
    const record = resources[0]?.record as Record<string, unknown>;
    const path = join(dir, 'app.conf');
    expect(record).toEqual({ path, sha256: sha256Hex('a=1\n'), mode: '0640', owner: 'root', group: 'root' });
    expect(await readBack('file', path, record, ctx)).toEqual({ exists: true, properties: record });
    await writeFile(path, 'a=2\n');
    await chmod(path, 0o644);
    expect(await readBack('file', path, record, ctx)).toEqual({
      exists: true,
      properties: { ...record, sha256: sha256Hex('a=2\n'), mode: '0644' },
    });
    expect((await readBack('file', path, { path, mode: 420 }, ctx))?.properties).toEqual({ path, mode: 0o644 });
    await rm(path);
    expect(await readBack('file', path, record, ctx)).toEqual({ exists: false });
  });

  it.runIf(asRoot)('records the mode, owner and group an existing file keeps when the call does not set them', async () => {
    const dir = await tempDir();
    const path = join(dir, 'kept.conf');
    await writeFile(path, 'old');
    await chmod(path, 0o604);
    const { ctx, resources } = contextIn(dir);
    await call(fileOpsModule, 'copy', [{ content: 'new', dest: 'kept.conf' }], ctx);
    const record = resources[0]?.record as Record<string, unknown>;
    expect(record).toEqual({ path, sha256: sha256Hex('new'), mode: '0604', owner: 'root', group: 'root' });
    await chmod(path, 0o600);
    expect((await readBack('file', path, record, ctx))?.properties).toMatchObject({ mode: '0600' });
    await call(fileOpsModule, 'copy', [{ content: 'x', dest: 'fresh' }], ctx);
    expect(resources[1]?.record).toEqual({ path: join(dir, 'fresh'), sha256: sha256Hex('x') });
  });

  it('reads back directories and links; both module names share the hook; other types are not checkable', async () => {
    const dir = await tempDir();
    const { ctx, resources } = contextIn(dir);
    await call(fileModule, 'file', [{ path: 'd', state: 'directory', mode: '0700' }], ctx);
    await call(fileModule, 'symlink', ['d', 'l'], ctx);
    const [directory, link] = resources.map((r) => r.record as Record<string, unknown>);
    expect(fileModule.readResource).toBe(fileOpsModule.readResource);
    expect(await readBack('directory', 'd', directory as Record<string, unknown>, ctx)).toEqual({
      exists: true,
      properties: { path: join(dir, 'd'), mode: '0700' },
    });
    expect(await readBack('link', 'l', link as Record<string, unknown>, ctx)).toEqual({
      exists: true,
      properties: { path: join(dir, 'l'), src: 'd' },
    });
    await rm(join(dir, 'l'));
    await symlink('elsewhere', join(dir, 'l'));
    expect((await readBack('link', 'l', link as Record<string, unknown>, ctx))?.properties).toMatchObject({ src: 'elsewhere' });
    expect(await readBack('file', 'd', { path: join(dir, 'd') }, ctx)).toEqual({ exists: false });
    expect(await readBack('package', 'nginx', { path: '/x' }, ctx)).toBeUndefined();
    expect(await readBack('file', 'x', {}, ctx)).toBeUndefined();
  });
});
