import { lstat, readdir, rm as remove, rmdir, stat, unlink } from 'node:fs/promises';
import { fn, makeDirectory, SlothError } from '@sloth/core/internal';
import { fsCall } from './fs-errors.js';
import { pathArg, resolvePath } from './paths.js';

export const exists = fn({
  doc: 'Tells whether a file or directory exists (a symlink counts when its target exists).',
  args: [pathArg('path', 'relative to the task workdir')],
  returns: 'boolean',
  examples: ['if not fs.exists("node_modules") then exec.run("npm ci") end'],
  run: ([given], ctx) => {
    const path = resolvePath(ctx, given);
    return fsCall(given, path, ctx, () =>
      stat(path).then(
        () => true,
        (err: NodeJS.ErrnoException) => {
          if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return false;
          throw err;
        },
      ),
    );
  },
});

export const mkdir = fn({
  doc: 'Creates a directory and any missing parents; does nothing if it already exists.',
  args: [pathArg('path', 'relative to the task workdir')],
  returns: 'nothing',
  examples: ['fs.mkdir("build/reports")'],
  run: async ([given], ctx) => {
    const path = resolvePath(ctx, given);
    await fsCall(given, path, ctx, async () => {
      await makeDirectory(path);
    });
  },
});

export const rm = fn({
  doc: 'Removes a file, a symlink or an empty directory; a missing path is an error (use fs.rmr for "remove if present").',
  args: [pathArg('path', 'relative to the task workdir')],
  returns: 'nothing',
  examples: ['fs.rm("build/old.tar.gz")'],
  run: async ([given], ctx) => {
    const path = resolvePath(ctx, given);
    await fsCall(given, path, ctx, async () => {
      if ((await lstat(path)).isDirectory()) await rmdir(path);
      else await unlink(path);
    });
  },
});

export const rmr = fn({
  doc: 'Removes a file or a directory with everything inside; a missing path is fine. Refuses to remove /.',
  args: [pathArg('path', 'relative to the task workdir')],
  returns: 'nothing',
  examples: ['fs.rmr("build")'],
  run: async ([given], ctx) => {
    const path = resolvePath(ctx, given);
    if (path === '/') {
      throw new SlothError('invalid_argument', `${ctx.fn}: refusing to remove '/' (from '${given}')`, {
        hint: 'name the directory to remove',
      });
    }
    await fsCall(given, path, ctx, () => remove(path, { recursive: true, force: true }));
  },
});

export const ls = fn({
  doc: 'Lists the names in a directory (hidden ones included), sorted.',
  args: [pathArg('path', 'directory; relative to the task workdir')],
  returns: 'list of strings (names, not paths)',
  examples: ['for _, name in ipairs(fs.ls("releases")) do log.info(name) end'],
  run: async ([given], ctx) => {
    const path = resolvePath(ctx, given);
    const names = await fsCall(given, path, ctx, () => readdir(path));
    return names.sort();
  },
});
