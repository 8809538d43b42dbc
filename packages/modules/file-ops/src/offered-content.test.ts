import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Host, HostCreateOrRead } from '@sloth/core';
import { call } from '@sloth/core/testing';
import { describe, expect, it } from 'vitest';
import { contextIn, tempDir } from './file-ops.test-helper.js';
import { fileOpsModule } from './file-ops-module.js';

// A host that can look and create in one round trip (as one over SSH does): file_ops offers a small content with its
// look, so a missing file is created by it and an existing one is compared without a second read. The double below
// makes that call on the local filesystem and counts every host call, so what the module asks is what is checked.

/** The local host of `ctx`, with createOrRead, every call counted by name. */
function countingHost(host: Host, calls: string[]): Host {
  const counted = new Proxy(host, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(String(key));
        return value.apply(target, args);
      };
    },
  });
  return Object.assign(Object.create(counted) as Host, {
    async createOrRead(path: string, data: Uint8Array, options: { mode?: number; maxRead: number }): Promise<HostCreateOrRead> {
      calls.push('createOrRead');
      const info = await host.stat(path);
      if (info) {
        const content = info.type === 'file' && info.size <= options.maxRead ? await host.readFile(path) : undefined;
        return { created: false, info, content };
      }
      await host.writeFile(path, data, { makeParents: true, mode: options.mode });
      return { created: true };
    },
  });
}

const copy = (ctx: Parameters<typeof call>[3], opts: Record<string, unknown>) =>
  call(fileOpsModule, 'copy', [opts], ctx) as Promise<Record<string, unknown>>;

describe('file_ops.copy on a host that creates with its look', () => {
  it('creates a missing file in the one call and reports it changed; an unchanged one is one call; a different one is written', async () => {
    const dir = await tempDir();
    const { ctx, resources } = contextIn(dir);
    const calls: string[] = [];
    const host = countingHost(ctx.host, calls);
    const c = { ...ctx, host };
    const path = join(dir, 'etc/app.conf');

    const first = await copy(c, { content: 'port = 80\n', dest: 'etc/app.conf', mode: '0640' });
    expect(first).toMatchObject({
      changed: true,
      changes: { content: { old: undefined }, mode: { old: undefined, new: '0640' } },
    });
    expect(calls).toEqual(['createOrRead']);
    expect(await readFile(path, 'utf8')).toBe('port = 80\n');
    expect((await stat(path)).mode & 0o7777).toBe(0o640);
    expect(resources.at(-1)?.record).toMatchObject({ path, mode: '0640' });

    calls.length = 0;
    expect(await copy(c, { content: 'port = 80\n', dest: 'etc/app.conf', mode: '0640' })).toMatchObject({ changed: false });
    // The owner's and group's names are looked up here because a local stat has no names (an SSH host's has).
    expect(calls.filter((name) => !name.startsWith('lookup'))).toEqual(['createOrRead']);

    calls.length = 0;
    const changed = await copy(c, { content: 'port = 8080\n', dest: 'etc/app.conf', mode: '0640' });
    expect(changed).toMatchObject({ changed: true, changes: { content: { old: expect.stringMatching(/^sha256:/) } } });
    expect(calls.filter((name) => !name.startsWith('lookup'))).toEqual(['createOrRead', 'writeFile']);
    expect(await readFile(path, 'utf8')).toBe('port = 8080\n');
  });

  it('is not used in check mode, with validate or backup, or for a large content; a directory there is still an error', async () => {
    const dir = await tempDir();
    const calls: string[] = [];
    const check = contextIn(dir, { checkMode: true });
    expect(await copy({ ...check.ctx, host: countingHost(check.ctx.host, calls) }, { content: 'x', dest: 'a' })).toMatchObject({
      changed: true,
      check_mode: true,
    });
    expect(calls).not.toContain('createOrRead');
    const { ctx } = contextIn(dir);
    const c = { ...ctx, host: countingHost(ctx.host, calls) };
    await writeFile(join(dir, 'b'), 'old');
    calls.length = 0;
    await copy(c, { content: 'new', dest: 'b', backup: true });
    expect(calls).not.toContain('createOrRead');
    calls.length = 0;
    await copy(c, { content: 'y'.repeat(70 * 1024), dest: 'big' });
    expect(calls).not.toContain('createOrRead');
    await expect(copy(c, { content: 'x', dest: '.' })).rejects.toThrow(/is a directory, not a file/);
  });
});
