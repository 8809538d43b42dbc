import { isAbsolute } from 'node:path';
import { arg, fn, z } from '@sloth/core';
import { glob as tinyglob } from 'tinyglobby';
import { fsCall } from './fs-errors.js';

export const glob = fn({
  doc:
    'Finds files and directories matching a pattern (*, **, ?, [abc], {a,b}); names starting with a dot match only when the pattern says so. ' +
    'Paths come back sorted, relative to the task workdir for a relative pattern and absolute for an absolute one.',
  args: [arg('pattern', z.string().min(1, 'expected a pattern, got an empty string'), 'glob pattern, e.g. "src/**/*.lua"')],
  returns: 'list of strings (paths)',
  examples: ['for _, file in ipairs(fs.glob("config/*.yaml")) do\n  local cfg = yaml.decode(fs.read(file))\nend'],
  run: async ([pattern], ctx) => {
    const absolute = isAbsolute(pattern);
    const found = await fsCall(pattern, pattern, ctx, () =>
      tinyglob(pattern, { cwd: ctx.workdir, absolute, onlyFiles: false, expandDirectories: false, signal: ctx.signal }),
    );
    // tinyglobby marks directories with a trailing '/', which the other fs functions do not expect.
    return found.map((p) => (p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p)).sort();
  },
});
