import { chmod, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256Hex } from '@sloth/core';
import { call, failure } from '@sloth/core/testing';
import { describe, expect, it } from 'vitest';
import { contextIn, OLD, tempDir } from './file-ops.test-helper.js';
import { fileOpsModule } from './file-ops-module.js';

const copy = (ctx: Parameters<typeof call>[3], opts: Record<string, unknown>) =>
  call(fileOpsModule, 'copy', [opts], ctx) as Promise<Record<string, unknown>>;
const asRoot = process.getuid?.() === 0;

describe('file_ops.copy', () => {
  it('writes the content with its mode, reports hashes (never the text) and a diff, then finds nothing to do', async () => {
    const dir = await tempDir();
    const { ctx, resources } = contextIn(dir);
    const first = await copy(ctx, { content: 'listen 80;\n', dest: 'conf/app.conf', mode: '0600' });
    const dest = join(dir, 'conf/app.conf');
    expect(first).toMatchObject({
      changed: true,
      changes: {
        content: { old: undefined, new: `sha256:${sha256Hex('listen 80;\n')}` },
        mode: { old: undefined, new: '0600' },
      },
      check_mode: false,
      dest,
      mode: '0600',
    });
    expect(first.diff).toBe(`--- before: ${dest}\n+++ after: ${dest}\n@@ -0,0 +1,1 @@\n+listen 80;\n`);
    expect(JSON.stringify(first.changes)).not.toContain('listen');
    expect(await readFile(dest, 'utf8')).toBe('listen 80;\n');
    expect((await stat(dest)).mode & 0o777).toBe(0o600);
    expect(resources[0]?.record).toEqual({ path: dest, sha256: sha256Hex('listen 80;\n'), mode: '0600' });

    await utimes(dest, OLD, OLD);
    const again = await copy(ctx, { content: 'listen 80;\n', dest: 'conf/app.conf', mode: 384 });
    expect(again).toMatchObject({ changed: false, changes: {}, diff: undefined });
    expect((await stat(dest)).mtime).toEqual(OLD);
    expect(await readdir(join(dir, 'conf'))).toEqual(['app.conf']);
  });

  it('copies a src shipped next to the workflow file, and changes only the mode when only the mode differs', async () => {
    const dir = await tempDir();
    const source = await tempDir();
    await writeFile(join(source, 'nginx.conf'), 'worker_processes 2;\n');
    await writeFile(join(dir, 'nginx.conf'), 'worker_processes 2;\n');
    await chmod(join(dir, 'nginx.conf'), 0o600);
    await utimes(join(dir, 'nginx.conf'), OLD, OLD);
    const { ctx } = contextIn(dir, { sourceDir: source });
    const r = await copy(ctx, { src: 'nginx.conf', dest: 'nginx.conf', mode: '644' });
    expect(r).toMatchObject({
      changed: true,
      changes: { mode: { old: '0600', new: '0644' } },
      diff: undefined,
      src: 'nginx.conf',
    });
    expect((await stat(join(dir, 'nginx.conf'))).mode & 0o777).toBe(0o644);
    expect((await stat(join(dir, 'nginx.conf'))).mtime).toEqual(OLD);
  });

  it('in check mode reports the change with its diff and changes nothing', async () => {
    const dir = await tempDir();
    const dest = join(dir, 'app.conf');
    await writeFile(dest, 'port=80\n');
    await utimes(dest, OLD, OLD);
    const { ctx, resources } = contextIn(dir, { checkMode: true });
    const r = await copy(ctx, { content: 'port=8080\n', dest: 'app.conf', backup: true, validate: 'false %s' });
    expect(r).toMatchObject({
      changed: true,
      check_mode: true,
      changes: { content: { old: `sha256:${sha256Hex('port=80\n')}`, new: `sha256:${sha256Hex('port=8080\n')}` } },
      backup_file: undefined,
    });
    expect(r.diff).toContain('-port=80\n+port=8080\n');
    expect(await readFile(dest, 'utf8')).toBe('port=80\n');
    expect((await stat(dest)).mtime).toEqual(OLD);
    expect(await readdir(dir)).toEqual(['app.conf']);
    expect(resources[0]?.record).toBeUndefined();
    const created = await copy(ctx, { content: 'x', dest: 'new/file' });
    expect(created).toMatchObject({ changed: true, changes: { content: { old: undefined } } });
    expect(await readdir(dir)).toEqual(['app.conf']);
  });

  it('hides the diff of a secret with diff = false', async () => {
    const dir = await tempDir();
    const { ctx, resources } = contextIn(dir);
    const r = await copy(ctx, { content: 'password=hunter2\n', dest: 'secret', mode: '0600', diff: false });
    expect(r).toMatchObject({ changed: true, diff: undefined, diff_skipped: 'hidden (diff = false)' });
    expect(JSON.stringify([r, resources])).not.toContain('hunter2');
  });

  it('backs up the file it replaces, only when it replaces one', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'hosts'), 'old\n');
    const { ctx } = contextIn(dir);
    const r = await copy(ctx, { content: 'new\n', dest: 'hosts', backup: true });
    expect(r.backup_file).toMatch(new RegExp(`^${join(dir, 'hosts')}\\.\\d{4}-\\d\\d-\\d\\d@\\d\\d:\\d\\d:\\d\\d~$`));
    expect(await readFile(r.backup_file as string, 'utf8')).toBe('old\n');
    expect(await readFile(join(dir, 'hosts'), 'utf8')).toBe('new\n');
    expect((await copy(ctx, { content: 'new\n', dest: 'hosts', backup: true })).backup_file).toBeUndefined();
    expect((await copy(ctx, { content: 'x', dest: 'fresh', backup: true })).backup_file).toBeUndefined();
  });

  it('runs validate on the new content first: a failure raises with its output and leaves dest untouched', async () => {
    const dir = await tempDir();
    const dest = join(dir, 'sudoers');
    await writeFile(dest, 'good\n');
    const { ctx } = contextIn(dir);
    const err = await failure(
      copy(ctx, {
        content: 'bad\n',
        dest: 'sudoers',
        validate: 'grep -q good %s || { echo "syntax error near bad" >&2; exit 3; }',
      }),
    );
    expect(err.code).toBe('task_failed');
    expect(err.message).toContain(`file_ops.copy: validate command 'grep -q good %s`);
    expect(err.message).toContain(`exited with 3; '${dest}' was left as it was:\nsyntax error near bad`);
    expect(await readFile(dest, 'utf8')).toBe('good\n');
    expect(await readdir(dir)).toEqual(['sudoers']);
    const ok = await copy(ctx, { content: 'still good\n', dest: 'sudoers', validate: 'grep -q good %s' });
    expect(ok.changed).toBe(true);
    expect(await readFile(dest, 'utf8')).toBe('still good\n');
    const withoutPercentS = await failure(copy(ctx, { content: 'x', dest: 'sudoers', validate: 'visudo -c' }));
    expect(withoutPercentS.message).toBe("file_ops.copy: validate 'visudo -c' has no %s");
  });

  it('refuses bad input, naming the field and what is expected', async () => {
    const dir = await tempDir();
    const { ctx } = contextIn(dir);
    const missing = await failure(copy(ctx, { content: 'x' }));
    expect(missing.code).toBe('invalid_argument');
    expect(missing.message).toBe("file_ops.copy: argument #1 (opts) field 'dest': expected string, got nil");
    for (const mode of ['0999', 'abc', 99999]) {
      const bad = await failure(copy(ctx, { content: 'x', dest: 'f', mode }));
      expect(bad.message).toContain(
        `field 'mode': expected a mode: octal digits as a string ("0644", "644") or a number up to 4095 (420 is 0644), got ${JSON.stringify(mode)}`,
      );
    }
    expect((await failure(copy(ctx, { content: 'x', dest: 'f', mode: 644 }))).message).toContain(
      `field 'mode': mode 644 is the number 644 (01204), not 0644: write mode = "0644" (a string) or 0o644`,
    );
    expect((await failure(copy(ctx, { src: '.', dest: 'f' }))).message).toBe(`file_ops.copy: src '.' (${dir}) is a directory`);
    expect((await failure(copy(ctx, { content: 'x', dest: 'f', mdoe: '0644' }))).message).toContain(
      "unknown field 'mdoe' (did you mean 'mode'?)",
    );
    expect((await failure(copy(ctx, { dest: 'f' }))).message).toBe('file_ops.copy: give exactly one of src and content');
    expect((await failure(copy(ctx, { dest: 'f', src: 'a', content: 'b' }))).message).toBe(
      'file_ops.copy: give exactly one of src and content',
    );
    expect((await failure(copy(ctx, { content: 'x', dest: '.' }))).message).toBe(
      `file_ops.copy: '${dir}' is a directory, not a file`,
    );
    const noSrc = await failure(copy(ctx, { src: 'nope.conf', dest: 'f' }));
    expect(noSrc).toMatchObject({
      code: 'not_found',
      message: `file_ops.copy: cannot read src 'nope.conf' (${join(dir, 'nope.conf')}): ENOENT`,
    });
    const owner = await failure(copy(ctx, { content: 'x', dest: 'f', owner: 'no-such-user-here' }));
    expect(owner.message).toBe("file_ops.copy: owner 'no-such-user-here': no such user on local");
    expect(await readdir(dir)).toEqual([]);
  });

  it('on an agent, refuses a src outside the workflow directory (it did not travel)', async () => {
    const dir = await tempDir();
    const source = await tempDir();
    await writeFile(join(source, 'inside.conf'), 'ok');
    const { ctx } = contextIn(dir, { sourceDir: source, bundled: true });
    for (const src of ['../outside.conf', '/etc/hostname']) {
      const err = await failure(copy(ctx, { src, dest: 'f' }));
      expect(err.message).toBe(
        `file_ops.copy: src '${src}' lies outside the workflow's directory, so it cannot travel to an agent`,
      );
      expect(err.hint).toContain("put the file in the workflow's directory");
    }
    expect((await copy(ctx, { src: 'inside.conf', dest: 'f' })).changed).toBe(true);
    expect((await copy(contextIn(dir, { sourceDir: source }).ctx, { src: '/etc/hostname', dest: 'g' })).changed).toBe(true);
  });

  it('in check mode reports an owner that does not exist yet as a change (an earlier task would create it)', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'f'), 'x');
    const { ctx, lines } = contextIn(dir, { checkMode: true });
    const r = await copy(ctx, { content: 'x', dest: 'f', owner: 'deploy-not-yet', group: 'deploy-not-yet' });
    expect(r).toMatchObject({ changed: true, changes: { owner: { new: 'deploy-not-yet' }, group: { new: 'deploy-not-yet' } } });
    expect(lines.map((l) => [l.level, l.message])).toContainEqual([
      'warn',
      "file_ops.copy: owner 'deploy-not-yet': no such user on local yet (check mode: reported as a change)",
    ]);
  });

  it.runIf(asRoot)('sets the owner and group by name or id, reporting names, and keeps them on later writes', async () => {
    const dir = await tempDir();
    const dest = join(dir, 'owned');
    await writeFile(dest, 'x');
    const { ctx } = contextIn(dir);
    const r = await copy(ctx, { content: 'x', dest: 'owned', owner: 'daemon', group: 1 });
    expect(r).toMatchObject({
      changed: true,
      changes: { owner: { old: 'root', new: 'daemon' }, group: { old: 'root', new: 'daemon' } },
      owner: 'daemon',
      group: 'daemon',
    });
    expect(await stat(dest)).toMatchObject({ uid: 1, gid: 1 });
    expect((await copy(ctx, { content: 'x', dest: 'owned', owner: 1, group: 'daemon' })).changed).toBe(false);
    await copy(ctx, { content: 'y', dest: 'owned' });
    expect(await stat(dest)).toMatchObject({ uid: 1, gid: 1 });
  });
});
