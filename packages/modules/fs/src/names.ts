import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { posix } from 'node:path';
import { arg, fn, z } from '@sloth/core';

export const tmpname = fn({
  doc: 'Returns a fresh, unique path in the system temp directory; nothing is created there.',
  args: [],
  returns: 'string (absolute path)',
  examples: ['local tmp = fs.tmpname()\nfs.mkdir(tmp)\n-- ...\nfs.rmr(tmp)'],
  run: () => posix.join(tmpdir(), `sloth-${randomUUID()}`),
});

export const basename = fn({
  doc: 'The last element of a path ("a/b/c.txt" -> "c.txt"); works on the text only.',
  args: [arg('path', z.string(), 'any path')],
  returns: 'string',
  examples: ['local name = fs.basename(archive_path)'],
  run: ([path]) => posix.basename(path),
});

export const dirname = fn({
  doc: 'Everything but the last element of a path ("a/b/c.txt" -> "a/b", "c.txt" -> "."); works on the text only.',
  args: [arg('path', z.string(), 'any path')],
  returns: 'string',
  examples: ['fs.mkdir(fs.dirname(target))'],
  run: ([path]) => posix.dirname(path),
});
