import type { Stats } from 'node:fs';
import { lstat, stat as statFollow } from 'node:fs/promises';
import { fn } from '@sloth/core';
import { fsCall } from './fs-errors.js';
import { pathArg, resolvePath } from './paths.js';

/** What `fs.stat` hands back to Lua. */
export interface FileInfo {
  size: number;
  mode: string;
  is_dir: boolean;
  is_file: boolean;
  is_symlink: boolean;
  mtime: number;
}

export const stat = fn({
  doc: 'Describes a file: size, permission bits, type and modification time; a symlink is described by its target (is_symlink says it is one).',
  args: [pathArg('path', 'relative to the task workdir')],
  returns:
    '{ size: integer (bytes), mode: string (octal like "644"), is_dir: boolean, is_file: boolean, is_symlink: boolean, mtime: integer (unix seconds) }',
  examples: ['local info = fs.stat("deploy.sh")\nif info.mode ~= "755" then exec.run({ "chmod", "755", "deploy.sh" }) end'],
  run: ([given], ctx) => {
    const path = resolvePath(ctx, given);
    return fsCall(given, path, ctx, async () => {
      const own = await lstat(path);
      // A dangling symlink has no target to describe; fall back to the link itself.
      const target = own.isSymbolicLink() ? await statFollow(path).catch(() => own) : own;
      return fileInfo(target, own.isSymbolicLink());
    });
  },
});

function fileInfo(s: Stats, isSymlink: boolean): FileInfo {
  return {
    size: s.size,
    mode: (s.mode & 0o7777).toString(8).padStart(3, '0'),
    is_dir: s.isDirectory(),
    is_file: s.isFile(),
    is_symlink: isSymlink,
    mtime: Math.floor(s.mtimeMs / 1000),
  };
}
