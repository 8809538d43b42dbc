import { isPlainObject, SlothError } from '@sloth/core/internal';

export interface EncodeOptions {
  /** Qualified function name for messages, e.g. "json.encode". */
  who: string;
  /** YAML can write .inf and .nan; JSON cannot. */
  allowNonFinite: boolean;
}

/**
 * Copies a Lua value into plain data ready to serialise: empty tables become `{}`, keys are sorted so output is stable
 * from run to run, and values no format can hold (functions, cycles, NaN in JSON) raise an error naming where they are.
 */
export function toEncodable(value: unknown, options: EncodeOptions): unknown {
  return walk(value, [], new Set(), options);
}

/** Turns every empty table that arrived as `[]` into `{}`: Lua cannot tell them apart, and merges treat `[]` as a list. */
export function emptyTablesAsObjects(value: unknown): unknown {
  if (Array.isArray(value)) return value.length === 0 ? {} : value.map(emptyTablesAsObjects);
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, emptyTablesAsObjects(v)]));
  return value;
}

function walk(value: unknown, path: string[], stack: Set<object>, options: EncodeOptions): unknown {
  if (value === undefined || value === null || typeof value === 'string' || typeof value === 'boolean') return value ?? null;
  if (typeof value === 'number') {
    if (!Number.isFinite(value) && !options.allowNonFinite) {
      throw unencodable(options, path, `the number ${value}`, 'JSON has no NaN or infinity; use a string or nil instead');
    }
    return value;
  }
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'function')
    throw unencodable(options, path, 'a function', 'only strings, numbers, booleans and tables can be encoded');
  if (typeof value !== 'object')
    throw unencodable(options, path, `a ${typeof value}`, 'only strings, numbers, booleans and tables can be encoded');
  if (stack.has(value)) throw unencodable(options, path, 'a table that contains itself', 'break the cycle before encoding');
  stack.add(value);
  try {
    if (Array.isArray(value)) {
      return value.length === 0 ? {} : value.map((v, i) => walk(v, [...path, String(i + 1)], stack, options));
    }
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined && v !== null) out[key] = walk(v, [...path, key], stack, options);
    }
    return out;
  } finally {
    stack.delete(value);
  }
}

function unencodable(options: EncodeOptions, path: string[], what: string, hint: string): SlothError {
  const where = path.length > 0 ? ` at '${path.join('.')}'` : '';
  return new SlothError('invalid_argument', `${options.who}: cannot encode ${what}${where}`, { hint });
}
