import { readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { call, failure } from '@sloth/core/testing';
import { describe, expect, it } from 'vitest';
import { contextIn, OLD, tempDir } from './file-ops.test-helper.js';
import { fileOpsModule } from './file-ops-module.js';

type Ctx = Parameters<typeof call>[3];
const run = (fn: string, ctx: Ctx, opts: Record<string, unknown>) =>
  call(fileOpsModule, fn, [opts], ctx) as Promise<Record<string, unknown>>;

async function fileWith(content: string): Promise<{ dir: string; path: string }> {
  const dir = await tempDir();
  const path = join(dir, 'sshd_config');
  await writeFile(path, content);
  await utimes(path, OLD, OLD);
  return { dir, path };
}

describe('file_ops.lineinfile', () => {
  const opts = { path: 'sshd_config', regexp: '^#?PermitRootLogin', line: 'PermitRootLogin no' };

  it('replaces the line, reports a diff, then finds nothing to do and leaves the mtime alone', async () => {
    const { dir, path } = await fileWith('Port 22\nPermitRootLogin yes\n');
    const { ctx } = contextIn(dir);
    const first = await run('lineinfile', ctx, opts);
    expect(first).toMatchObject({ changed: true, path });
    expect(first.diff).toContain('-PermitRootLogin yes\n+PermitRootLogin no\n');
    expect(await readFile(path, 'utf8')).toBe('Port 22\nPermitRootLogin no\n');
    await utimes(path, OLD, OLD);
    expect(await run('lineinfile', ctx, opts)).toMatchObject({ changed: false, changes: {} });
    expect((await stat(path)).mtime).toEqual(OLD);
  });

  it('in check mode reports the change and leaves the file as it was', async () => {
    const { dir, path } = await fileWith('PermitRootLogin yes\n');
    const { ctx } = contextIn(dir, { checkMode: true });
    const r = await run('lineinfile', ctx, { ...opts, backup: true });
    expect(r).toMatchObject({ changed: true, check_mode: true, backup_file: undefined });
    expect(r.diff).toContain('+PermitRootLogin no');
    expect(await readFile(path, 'utf8')).toBe('PermitRootLogin yes\n');
    expect((await stat(path)).mtime).toEqual(OLD);
    expect(await readdir(dir)).toEqual(['sshd_config']);
  });

  it('a missing file is an error unless create = true; state = absent on a missing file changes nothing', async () => {
    const dir = await tempDir();
    const { ctx } = contextIn(dir);
    const err = await failure(run('lineinfile', ctx, { path: 'hosts', line: '10.0.0.5 db' }));
    expect(err).toMatchObject({ code: 'not_found', message: `file_ops.lineinfile: '${join(dir, 'hosts')}' does not exist` });
    expect(err.hint).toContain('create = true');
    expect(await run('lineinfile', ctx, { path: 'hosts', line: 'x', state: 'absent' })).toMatchObject({ changed: false });
    expect(await readdir(dir)).toEqual([]);
    expect(await run('lineinfile', ctx, { path: 'hosts', line: '10.0.0.5 db', create: true, mode: '0640' })).toMatchObject({
      changed: true,
      mode: '0640',
    });
    expect(await readFile(join(dir, 'hosts'), 'utf8')).toBe('10.0.0.5 db\n');
  });

  it('removes matching lines with a backup of the old file', async () => {
    const { dir, path } = await fileWith('a\n/swapfile none swap\nb\n');
    const { ctx } = contextIn(dir);
    const r = await run('lineinfile', ctx, { path: 'sshd_config', regexp: '^/swapfile', state: 'absent', backup: true });
    expect(await readFile(path, 'utf8')).toBe('a\nb\n');
    expect(await readFile(r.backup_file as string, 'utf8')).toBe('a\n/swapfile none swap\nb\n');
  });

  it('refuses contradictory or incomplete options', async () => {
    const { dir } = await fileWith('x\n');
    const { ctx } = contextIn(dir);
    expect((await failure(run('lineinfile', ctx, { path: 'sshd_config', regexp: 'x' }))).message).toBe(
      'file_ops.lineinfile: state = "present" needs a line',
    );
    expect((await failure(run('lineinfile', ctx, { path: 'sshd_config', regexp: '(', line: 'x' }))).message).toMatch(
      /^file_ops\.lineinfile: regexp '\(' is not a valid regular expression: /,
    );
    expect((await failure(run('lineinfile', ctx, { path: 'sshd_config', line: 'x', backrefs: true }))).message).toBe(
      'file_ops.lineinfile: backrefs = true needs a regexp',
    );
    expect((await failure(run('lineinfile', ctx, { path: 'sshd_config', line: 'x', state: 'gone' }))).message).toContain(
      `field 'state': expected "present" or "absent"`,
    );
    expect((await failure(run('lineinfile', ctx, { path: 'sshd_config', line: 'x', insert_after: 'EOF' }))).message).toContain(
      "unknown field 'insert_after' (did you mean 'insertafter'?)",
    );
  });
});

describe('file_ops.blockinfile and file_ops.replace', () => {
  it('manages a marked block idempotently, and removes it', async () => {
    const { dir, path } = await fileWith('127.0.0.1 localhost\n');
    const { ctx } = contextIn(dir);
    const opts = { path: 'sshd_config', block: '10.0.0.5 db\n10.0.0.6 cache' };
    expect((await run('blockinfile', ctx, opts)).changed).toBe(true);
    const expected = '127.0.0.1 localhost\n# BEGIN MANAGED BLOCK\n10.0.0.5 db\n10.0.0.6 cache\n# END MANAGED BLOCK\n';
    expect(await readFile(path, 'utf8')).toBe(expected);
    await utimes(path, OLD, OLD);
    expect((await run('blockinfile', ctx, opts)).changed).toBe(false);
    expect((await stat(path)).mtime).toEqual(OLD);
    expect((await run('blockinfile', ctx, { path: 'sshd_config', state: 'absent' })).changed).toBe(true);
    expect(await readFile(path, 'utf8')).toBe('127.0.0.1 localhost\n');
  });

  it('in check mode report their diffs and leave the file (and its mtime) as it was', async () => {
    const { dir, path } = await fileWith('listen = 80\n');
    const { ctx } = contextIn(dir, { checkMode: true });
    const block = await run('blockinfile', ctx, { path: 'sshd_config', block: 'extra = 1' });
    expect(block).toMatchObject({ changed: true, check_mode: true });
    expect(block.diff).toContain('+# BEGIN MANAGED BLOCK\n+extra = 1\n+# END MANAGED BLOCK\n');
    const replaced = await run('replace', ctx, { path: 'sshd_config', regexp: '80$', replace: '8080' });
    expect(replaced).toMatchObject({ changed: true, check_mode: true });
    expect(replaced.diff).toContain('-listen = 80\n+listen = 8080\n');
    expect(await readFile(path, 'utf8')).toBe('listen = 80\n');
    expect((await stat(path)).mtime).toEqual(OLD);
    expect(await readdir(dir)).toEqual(['sshd_config']);
  });

  it('replaces every match with $1 back-references, then finds nothing to do; a missing file is an error', async () => {
    const { dir, path } = await fileWith('listen = 80\nlisten=81\n');
    const { ctx } = contextIn(dir);
    const opts = { path: 'sshd_config', regexp: '^(listen)\\s*=\\s*\\d+$', replace: '$1 = 8080' };
    expect((await run('replace', ctx, opts)).changed).toBe(true);
    expect(await readFile(path, 'utf8')).toBe('listen = 8080\nlisten = 8080\n');
    await utimes(path, OLD, OLD);
    expect((await run('replace', ctx, opts)).changed).toBe(false);
    expect((await stat(path)).mtime).toEqual(OLD);
    const err = await failure(run('replace', ctx, { ...opts, path: 'missing' }));
    expect(err.message).toBe(`file_ops.replace: '${join(dir, 'missing')}' does not exist`);
  });
});
