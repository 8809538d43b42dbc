import { mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, failure, testContext } from '@sloth/core/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fsModule } from './fs-module.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sloth-fs-resource-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const OLD = new Date('2001-02-03T04:05:06Z');

describe('fs.write as a file resource', () => {
  it('reports changed when it writes, with the hashes of the old and new content and a diff (never the text itself)', async () => {
    const { ctx, resources } = testContext({ workdir: dir });
    await call(fsModule, 'write', ['conf/app.ini', 'a=1\n'], ctx);
    await call(fsModule, 'write', ['conf/app.ini', 'a=2\n'], ctx);
    expect(await readFile(join(dir, 'conf/app.ini'), 'utf8')).toBe('a=2\n');
    expect(resources).toEqual([
      expect.objectContaining({
        type: 'file',
        changed: true,
        changes: { content: { old: undefined, new: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) } },
      }),
      expect.objectContaining({
        type: 'file',
        changed: true,
        changes: { content: { old: resources[0]?.changes.content?.new, new: expect.stringMatching(/^sha256:/) } },
      }),
    ]);
    expect(resources[1]?.diff).toBe(
      `--- before: ${join(dir, 'conf/app.ini')}\n+++ after: ${join(dir, 'conf/app.ini')}\n@@ -1,1 +1,1 @@\n-a=1\n+a=2\n`,
    );
    expect(JSON.stringify(resources.map((r) => r.changes))).not.toContain('a=');
    expect(resources[0]?.name).toBe(join(dir, 'conf/app.ini'));
  });

  it('reports changed=false and leaves the file (and its mtime) alone when the content is equal', async () => {
    const path = join(dir, 'motd');
    await writeFile(path, 'hello\n');
    await utimes(path, OLD, OLD);
    const { ctx, resources } = testContext({ workdir: dir });
    await call(fsModule, 'write', ['motd', 'hello\n'], ctx);
    expect(resources).toEqual([expect.objectContaining({ changed: false, changes: {} })]);
    expect((await stat(path)).mtime).toEqual(OLD);
  });

  it('in check mode reports the change and writes nothing', async () => {
    const path = join(dir, 'motd');
    await writeFile(path, 'old\n');
    await utimes(path, OLD, OLD);
    const { ctx, resources } = testContext({ workdir: dir, checkMode: true });
    await call(fsModule, 'write', ['motd', 'new\n'], ctx);
    await call(fsModule, 'write', ['missing/file', 'x'], ctx);
    expect(resources.map((r) => [r.changed, r.checkMode])).toEqual([
      [true, true],
      [true, true],
    ]);
    expect(await readFile(path, 'utf8')).toBe('old\n');
    expect((await stat(path)).mtime).toEqual(OLD);
    expect(await stat(join(dir, 'missing')).catch(() => undefined)).toBeUndefined();
  });

  it('fails as before on a directory, naming the function that was called', async () => {
    const { ctx, resources } = testContext({ workdir: dir });
    const err = await failure(call(fsModule, 'write_file', ['.', 'x'], ctx));
    expect(err.message).toBe(`fs.write_file: '${dir}' is a directory`);
    expect(resources).toEqual([]);
  });
});
