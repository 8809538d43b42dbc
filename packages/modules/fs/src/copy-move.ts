import { cp, symlink as makeSymlink, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { arg, fn, type ModuleCallContext, makeDirectory, SlothError, z } from '@sloth/core/internal';
import { fsCall } from './fs-errors.js';
import { pathArg, resolvePath } from './paths.js';

/**
 * Where `src` lands: `dst` itself, or inside `dst` when it ends with '/'.
 * Never "into dst because it happens to exist": that makes a second run nest the copy one level deeper.
 */
async function destination(src: string, givenSrc: string, givenDst: string, ctx: ModuleCallContext): Promise<string> {
  const dst = resolvePath(ctx, givenDst);
  if (givenDst.endsWith('/')) return join(dst, basename(src));
  const [srcStat, dstStat] = await Promise.all([stat(src).catch(() => undefined), stat(dst).catch(() => undefined)]);
  if (dstStat?.isDirectory() && srcStat && !srcStat.isDirectory()) {
    throw new SlothError('invalid_argument', `${ctx.fn}: destination '${dst}' is a directory`, {
      hint: `end it with '/' to put the file inside: ${ctx.fn}("${givenSrc}", "${givenDst}/")`,
    });
  }
  return dst;
}

export const copy = fn({
  doc: "Copies a file or a directory tree to dst (replacing files there); a dst ending in '/' means inside that directory.",
  args: [pathArg('src', 'file or directory to copy'), pathArg('dst', "target path, or a directory ending in '/'")],
  returns: 'nothing',
  examples: ['fs.copy("templates", "build/templates")', 'fs.copy("app.conf", "/etc/app/")'],
  run: async ([givenSrc, givenDst], ctx) => {
    const src = resolvePath(ctx, givenSrc);
    await fsCall(givenSrc, src, ctx, async () => {
      const dst = await destination(src, givenSrc, givenDst, ctx);
      await makeDirectory(dirname(dst));
      await cp(src, dst, { recursive: true, force: true, verbatimSymlinks: true, errorOnExist: false });
    });
  },
});

export const move = fn({
  doc: "Moves or renames a file or directory (across filesystems too); a dst ending in '/' means inside that directory.",
  args: [pathArg('src', 'file or directory to move'), pathArg('dst', "new path, or a directory ending in '/'")],
  returns: 'nothing',
  examples: ['fs.move("build/app", "dist/app")', 'fs.move("report.html", "archive/")'],
  run: async ([givenSrc, givenDst], ctx) => {
    const src = resolvePath(ctx, givenSrc);
    await fsCall(givenSrc, src, ctx, async () => {
      const dst = await destination(src, givenSrc, givenDst, ctx);
      await makeDirectory(dirname(dst));
      try {
        await rename(src, dst);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
        // rename cannot cross filesystems (e.g. /tmp on tmpfs): copy, then remove the original.
        await cp(src, dst, { recursive: true, force: true, verbatimSymlinks: true, preserveTimestamps: true });
        await rm(src, { recursive: true, force: true });
      }
    });
  },
});

export const symlink = fn({
  doc: 'Creates a symbolic link at `link` pointing to `target` (kept as written, so a relative target is relative to the link).',
  args: [
    arg('target', z.string().min(1, 'expected a target path, got an empty string'), 'what the link points to'),
    pathArg('link', 'where to create the link; relative to the task workdir'),
  ],
  returns: 'nothing',
  examples: ['fs.symlink("releases/v2", "current")'],
  run: async ([target, givenLink], ctx) => {
    const link = resolvePath(ctx, givenLink);
    await fsCall(givenLink, link, ctx, async () => {
      await makeDirectory(dirname(link));
      await makeSymlink(target, link);
    });
  },
});
