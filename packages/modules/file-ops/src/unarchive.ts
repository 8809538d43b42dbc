import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { changeResult, converge, defineResource, fn, type ModuleCallContext, SlothError, sha256Hex, z } from '@sloth/core';
import { type ArchiveEntry, readArchive, UnsafeEntryError } from './archive-entries.js';
import { fileCall } from './errors.js';
import { formatMode, optionsTable, pathField } from './fields.js';
import { sourcePath, targetPath } from './paths.js';

/** How an entry is shown in `changes`: "sha256:... 0644", "directory 0755", "link -> target" (never file content). */
function describe(entry: ArchiveEntry): string {
  if (entry.type === 'file') return `sha256:${sha256Hex(entry.data)} ${formatMode(entry.mode)}`;
  return entry.type === 'directory' ? `directory ${formatMode(entry.mode)}` : `link -> ${entry.target}`;
}

/** What is at an entry's path now, described the same way (undefined: nothing). */
async function describeExisting(ctx: ModuleCallContext, path: string, entry: ArchiveEntry): Promise<string | undefined> {
  const info = await ctx.host.lstat(path);
  if (!info) return undefined;
  if (info.type === 'link') return `link -> ${await ctx.host.readlink(path)}`;
  if (info.type === 'directory') return `directory ${formatMode(info.mode)}`;
  // Only an entry's own kind is read: a file where a directory should be is different whatever it holds.
  if (entry.type !== 'file' || info.type !== 'file') return info.type;
  return `sha256:${sha256Hex(await ctx.host.readFile(path))} ${formatMode(info.mode)}`;
}

/**
 * The content of an archive under a directory, for one call: desired is each entry's description, read describes
 * what is at each entry's path, and apply writes the entries that differ (files atomically, through the host).
 */
function archiveContent(entries: ArchiveEntry[]) {
  return defineResource({
    type: 'archive',
    desired: z.record(z.string(), z.string()),
    async read(ctx, dest) {
      const actual: Record<string, string | undefined> = {};
      for (const entry of entries) actual[entry.path] = await describeExisting(ctx, join(dest, entry.path), entry);
      return actual;
    },
    async apply(ctx, dest, changes) {
      await ctx.host.mkdir(dest, { parents: true });
      for (const entry of entries) {
        if (!changes[entry.path]) continue;
        const path = join(dest, entry.path);
        const there = await ctx.host.lstat(path);
        if (entry.type === 'directory') {
          if (there && there.type !== 'directory') await ctx.host.remove(path);
          await ctx.host.mkdir(path, { parents: true });
          await ctx.host.chmod(path, entry.mode);
        } else if (entry.type === 'file') {
          // A symlink there is replaced, never written through (it could point anywhere).
          if (there && there.type !== 'file') await ctx.host.remove(path, { recursive: true });
          await ctx.host.writeFile(path, entry.data, { makeParents: true, mode: entry.mode });
        } else {
          if (there?.type === 'directory') await ctx.host.remove(path, { recursive: true });
          await ctx.host.mkdir(join(path, '..'), { parents: true });
          await ctx.host.symlink(entry.target, path);
        }
      }
    },
  });
}

export const unarchive = fn({
  doc:
    'Unpacks a .tar, .tar.gz / .tgz or .zip archive shipped with the workflow (src, relative to the workflow file) into ' +
    'dest (created if missing). Entries that would land outside dest (absolute paths, "..", symlinks pointing out, ' +
    "entries below one of the archive's symlinks) are refused before anything is written, and a symlink found " +
    'where the archive has a file is replaced, not written through. Files already there with the same content and mode are left alone, so a ' +
    're-run reports changed = false; files in dest that are not in the archive are kept. Owners in the archive are ' +
    'not applied (files belong to the user the task runs as). creates: a path; when it exists, nothing is done.',
  args: [
    {
      name: 'opts',
      schema: optionsTable(
        {
          src: pathField,
          dest: pathField,
          creates: z.string().min(1).optional(),
        },
        '{ src = "files/app.tar.gz", dest = "/opt/app" }',
      ),
      doc: '{ src, dest, creates }',
    },
  ],
  returns:
    'table: changed, changes (per entry path: { old, new } as "sha256:HASH MODE", "directory MODE" or "link -> TARGET"), check_mode, dest, src, skipped (creates existed)',
  examples: ['file_ops.unarchive({ src = "dist/app-1.4.2.tar.gz", dest = "/opt/app", creates = "/opt/app/bin/app" })'],
  run: async ([opts], ctx) => {
    const dest = targetPath(ctx, opts.dest);
    const archive = sourcePath(ctx, opts.src);
    return fileCall(ctx, dest, async () => {
      if (opts.creates !== undefined && (await ctx.host.lstat(targetPath(ctx, opts.creates)))) {
        return { changed: false, changes: {}, check_mode: ctx.checkMode, dest, src: opts.src, skipped: true };
      }
      let entries: ArchiveEntry[];
      try {
        // The archive is read where the workflow is (it travels with it), not through the host.
        entries = await readArchive(await readFile(archive));
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        const why = code === 'ENOENT' ? 'no such file' : (err as Error).message;
        throw new SlothError(
          code === 'ENOENT' ? 'not_found' : 'invalid_argument',
          `${ctx.fn}: archive '${opts.src}' (${archive}): ${why}`,
          {
            hint:
              err instanceof UnsafeEntryError
                ? 'nothing was unpacked; rebuild the archive with paths relative to its root'
                : "a relative src resolves against the workflow file's directory",
          },
        );
      }
      const desired = Object.fromEntries(entries.map((e) => [e.path, describe(e)]));
      const outcome = await converge(archiveContent(entries), dest, desired, ctx);
      return changeResult(outcome, { dest, src: opts.src });
    });
  },
});
