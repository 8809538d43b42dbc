import { arg, deepMerge, errorMessage, fn, getPath, luaTypeName, SlothError, setPath, splitPath, z } from '@sloth/core/internal';
import { emptyTablesAsObjects } from './lua-values.js';

const tableSchema = z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())], {
  error: (issue) => `expected table, got ${luaTypeName(issue.input)}`,
});
const optionalTable = (name: string, doc: string) => arg(name, tableSchema.optional(), doc);
const pathArg = arg(
  'path',
  z.union([z.string(), z.number().transform(String)], {
    error: (issue) => `expected a dotted path string, got ${luaTypeName(issue.input)}`,
  }),
  'keys separated by dots; numbers index lists from 1, e.g. "servers.1.host"',
);

export const deepMergeFn = fn({
  doc: 'Merges b over a recursively into a new table: nested tables merge, lists and other values in b replace those in a. nil counts as {}.',
  args: [optionalTable('a', 'the base table'), optionalTable('b', 'the table whose values win')],
  returns: 'table (a new table; a and b are unchanged)',
  examples: [
    'local cfg = data.deep_merge(defaults, values.overrides)\n-- { replicas = 1, image = { tag = "x" } } + { image = { tag = "y" } } -> { replicas = 1, image = { tag = "y" } }',
  ],
  run: ([a, b]) => deepMerge(emptyTablesAsObjects(a ?? {}), emptyTablesAsObjects(b ?? {})),
});

export const getPathFn = fn({
  doc: 'Reads a nested value by dotted path, or nil when any step is missing.',
  args: [optionalTable('tbl', 'the table to read (nil gives nil)'), pathArg],
  returns: 'any (nil when missing)',
  examples: ['local port = data.get_path(values, "services.web.ports.1")'],
  run: ([tbl, path]) => getPath(tbl, path),
});

export const setPathFn = fn({
  doc: 'Returns a copy of tbl with the dotted path set to value, creating tables on the way (numbers index lists from 1); tbl itself is unchanged.',
  args: [
    optionalTable('tbl', 'the table to copy (nil starts from {})'),
    pathArg,
    arg('value', z.unknown(), 'the new value (nil removes the key)'),
  ],
  returns: 'table (a new table)',
  examples: ['values = data.set_path(values, "image.tag", version)'],
  run: ([tbl, path, value]) => {
    const keys = splitPath(path);
    if (keys.length === 0) {
      throw new SlothError('invalid_argument', 'data.set_path: the path is empty', {
        hint: 'name at least one key, e.g. "image.tag"',
      });
    }
    try {
      return setPath(emptyTablesAsObjects(tbl ?? {}), path, value);
    } catch (err) {
      throw new SlothError('invalid_argument', `data.set_path: ${errorMessage(err)}`, {
        hint: 'index lists with numbers from 1, e.g. "servers.1.host"',
      });
    }
  },
});
