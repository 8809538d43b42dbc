import { execFileSync } from 'node:child_process';
import { lstat, mkdir, readdir, readFile, readlink, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { call, failure } from '@sloth/core/testing';
import { describe, expect, it } from 'vitest';
import { contextIn, OLD, tempDir } from './file-ops.test-helper.js';
import { fileOpsModule } from './file-ops-module.js';

type Ctx = Parameters<typeof call>[3];
const unarchive = (ctx: Ctx, opts: Record<string, unknown>) =>
  call(fileOpsModule, 'unarchive', [opts], ctx) as Promise<Record<string, unknown>>;

/** A tree to archive: a file, an executable, a directory and a symlink inside it. */
async function tree(): Promise<string> {
  const root = await tempDir();
  await mkdir(join(root, 'app/bin'), { recursive: true });
  await writeFile(join(root, 'app/README'), 'read me\n');
  await writeFile(join(root, 'app/bin/run'), '#!/bin/sh\necho run\n', { mode: 0o755 });
  await symlink('bin/run', join(root, 'app/start'));
  return root;
}

/** Python's tarfile and zipfile write archives (also the malicious ones real tools refuse to make). */
function python(script: string, ...args: string[]): void {
  execFileSync('python3', ['-c', script, ...args]);
}

const EVIL_TAR = `
import io, sys, tarfile
with tarfile.open(sys.argv[1], 'w:gz') as t:
    data = b'owned'
    for name in sys.argv[2:]:
        if name.startswith('link:'):
            # A symlink app/escape to the target given ("." points inside: harmless alone, a way out below it)
            info = tarfile.TarInfo('app/escape'); info.type = tarfile.SYMTYPE; info.linkname = name[5:]
            t.addfile(info)
        else:
            info = tarfile.TarInfo(name); info.size = len(data); t.addfile(info, io.BytesIO(data))
`;

describe('file_ops.unarchive', () => {
  it('unpacks a .tar.gz, then a re-run finds nothing to do and writes nothing; check mode writes nothing', async () => {
    const source = await tree();
    execFileSync('tar', ['-czf', join(source, 'app.tar.gz'), '-C', source, 'app']);
    const dir = await tempDir();
    const { ctx: check } = contextIn(dir, { sourceDir: source, checkMode: true });
    const preview = await unarchive(check, { src: 'app.tar.gz', dest: 'opt' });
    expect(preview).toMatchObject({ changed: true, check_mode: true });
    expect(await readdir(dir)).toEqual([]);

    const { ctx } = contextIn(dir, { sourceDir: source });
    const first = await unarchive(ctx, { src: 'app.tar.gz', dest: 'opt' });
    expect(first).toMatchObject({
      changed: true,
      dest: join(dir, 'opt'),
      changes: {
        'app/bin/run': { old: undefined, new: expect.stringMatching(/^sha256:[0-9a-f]{64} 0755$/) },
        'app/start': { new: 'link -> bin/run' },
      },
    });
    expect(await readFile(join(dir, 'opt/app/README'), 'utf8')).toBe('read me\n');
    expect((await stat(join(dir, 'opt/app/bin/run'))).mode & 0o777).toBe(0o755);
    expect(await readlink(join(dir, 'opt/app/start'))).toBe('bin/run');

    await utimes(join(dir, 'opt/app/README'), OLD, OLD);
    expect(await unarchive(ctx, { src: 'app.tar.gz', dest: 'opt' })).toMatchObject({ changed: false, changes: {} });
    expect((await stat(join(dir, 'opt/app/README'))).mtime).toEqual(OLD);

    await writeFile(join(dir, 'opt/app/README'), 'edited\n');
    const restored = await unarchive(ctx, { src: 'app.tar.gz', dest: 'opt' });
    expect(Object.keys(restored.changes as object)).toEqual(['app/README']);
    expect(await readFile(join(dir, 'opt/app/README'), 'utf8')).toBe('read me\n');
  });

  it('unpacks a .zip (symlinks too), and skips everything when creates exists', async () => {
    const source = await tree();
    execFileSync('sh', ['-c', 'cd "$1" && python3 -c "$2"', 'sh', source, ZIP_TREE]);
    const dir = await tempDir();
    const { ctx } = contextIn(dir, { sourceDir: source });
    expect((await unarchive(ctx, { src: 'app.zip', dest: 'opt', creates: 'opt/app/README' })).changed).toBe(true);
    expect(await readFile(join(dir, 'opt/app/bin/run'), 'utf8')).toBe('#!/bin/sh\necho run\n');
    expect((await stat(join(dir, 'opt/app/bin/run'))).mode & 0o777).toBe(0o755);
    expect(await readlink(join(dir, 'opt/app/start'))).toBe('bin/run');
    expect(await unarchive(ctx, { src: 'app.zip', dest: 'opt' })).toMatchObject({ changed: false });
    await writeFile(join(dir, 'opt/app/README'), 'edited\n');
    expect(await unarchive(ctx, { src: 'app.zip', dest: 'opt', creates: 'opt/app/README' })).toMatchObject({
      changed: false,
      skipped: true,
    });
    expect(await readFile(join(dir, 'opt/app/README'), 'utf8')).toBe('edited\n');
  });

  it('refuses entries that would land outside dest, before writing anything', async () => {
    const source = await tempDir();
    const cases: [string[], string][] = [
      [['app/ok', '../../escaped'], "entry '../../escaped' would be written outside the destination"],
      [['app/ok', '/tmp/absolute-escape'], "entry '/tmp/absolute-escape' would be written outside the destination"],
      [['app/ok', 'link:../../etc'], "symlink 'app/escape' points outside the destination (to '../../etc')"],
      [['app/ok', 'link:/etc/passwd'], "symlink 'app/escape' points outside the destination (to '/etc/passwd')"],
      [['link:.', 'app/escape/passwd'], "entry 'app/escape/passwd' lies below the archive's symlink 'app/escape'"],
    ];
    for (const [index, [names, why]] of cases.entries()) {
      python(EVIL_TAR, join(source, `evil${index}.tgz`), ...names);
      const dir = await tempDir();
      const { ctx } = contextIn(join(dir, 'a'), { sourceDir: source });
      const err = await failure(unarchive(ctx, { src: `evil${index}.tgz`, dest: 'dest' }));
      expect(err.code).toBe('invalid_argument');
      expect(err.message).toBe(`file_ops.unarchive: archive 'evil${index}.tgz' (${join(source, `evil${index}.tgz`)}): ${why}`);
      expect(await readdir(dir)).toEqual([]);
    }
    python(
      "import sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], 'w') as z: z.writestr('../zip-escape', 'x')",
      join(source, 'evil.zip'),
    );
    const { ctx } = contextIn(await tempDir(), { sourceDir: source });
    expect((await failure(unarchive(ctx, { src: 'evil.zip', dest: 'd' }))).message).toMatch(
      /^file_ops\.unarchive: archive 'evil\.zip' .*: /,
    );
  });

  it('replaces a symlink that stands where the archive has a file, never writing through it', async () => {
    const source = await tree();
    execFileSync('tar', ['-cf', join(source, 'app.tar'), '-C', source, 'app']);
    const dir = await tempDir();
    const outside = join(await tempDir(), 'victim');
    await writeFile(outside, 'untouched\n');
    await mkdir(join(dir, 'opt/app'), { recursive: true });
    await symlink(outside, join(dir, 'opt/app/README'));
    const { ctx } = contextIn(dir, { sourceDir: source });
    const r = await unarchive(ctx, { src: 'app.tar', dest: 'opt' });
    expect(r.changes).toMatchObject({ 'app/README': { old: `link -> ${outside}` } });
    expect(await readFile(outside, 'utf8')).toBe('untouched\n');
    expect(await readFile(join(dir, 'opt/app/README'), 'utf8')).toBe('read me\n');
    expect((await lstat(join(dir, 'opt/app/README'))).isFile()).toBe(true);
  });

  it('says what is wrong with a src that is not an archive, or missing', async () => {
    const source = await tempDir();
    await writeFile(join(source, 'notes.txt'), 'just text');
    const { ctx } = contextIn(await tempDir(), { sourceDir: source });
    expect((await failure(unarchive(ctx, { src: 'notes.txt', dest: 'd' }))).message).toBe(
      `file_ops.unarchive: archive 'notes.txt' (${join(source, 'notes.txt')}): not a .tar, .tar.gz / .tgz or .zip archive`,
    );
    expect(await failure(unarchive(ctx, { src: 'none.tgz', dest: 'd' }))).toMatchObject({ code: 'not_found' });
  });
});

// Zips app/ with unix modes and the symlink stored as a link (as Info-ZIP's `zip -y` does).
const ZIP_TREE = `
import os, stat, zipfile
with zipfile.ZipFile('app.zip', 'w', zipfile.ZIP_DEFLATED) as z:
    for root, dirs, files in os.walk('app'):
        z.write(root, root + '/')
        for f in files:
            p = os.path.join(root, f)
            if os.path.islink(p):
                info = zipfile.ZipInfo(p); info.external_attr = (stat.S_IFLNK | 0o777) << 16
                z.writestr(info, os.readlink(p))
            else:
                z.write(p, p)
`;
