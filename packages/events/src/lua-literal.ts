// JSON-shaped values as Lua table-constructor text. Loading one string of literals in Lua is several times cheaper
// than building the same tables field by field through wasmoon's JS -> Lua conversion (a hook's hot path).

/** Nesting beyond this is not written as a literal: Lua's parser fails on deeply nested constructors (about 150). */
export const MAX_LITERAL_DEPTH = 64;

/** Thrown when a value cannot be written as a literal (nested too deep). */
export class NotALiteral extends Error {}

const ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * A Lua expression that evaluates to `value` as toLua() would push it: null and undefined are nil (dropped from
 * tables), integers stay integers, arrays are sequences, object keys are strings. Only data that came from JSON.
 */
export function luaLiteral(value: unknown, depth = 0): string {
  switch (typeof value) {
    case 'string':
      return luaString(value);
    case 'number':
      // String() writes the shortest text that reads back as the same double; Lua reads "1" as an integer and
      // "1e+21" as a float, as wasmoon pushes them.
      return Number.isFinite(value) ? String(value) : value > 0 ? '(1/0)' : value < 0 ? '(-1/0)' : '(0/0)';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'nil';
      if (depth >= MAX_LITERAL_DEPTH) throw new NotALiteral(`nested deeper than ${MAX_LITERAL_DEPTH} levels`);
      if (Array.isArray(value)) {
        let out = '{';
        for (const v of value) out += `${luaLiteral(v, depth + 1)},`;
        return `${out}}`;
      }
      let out = '{';
      for (const [k, v] of Object.entries(value)) {
        if (v === null || v === undefined) continue;
        out += `[${luaString(k)}]=${luaLiteral(v, depth + 1)},`;
      }
      return `${out}}`;
    }
    default:
      return 'nil';
  }
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what must be escaped
const SPECIAL = /["\\\x00-\x1f\x7f]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what must be escaped
const SPECIALS = /["\\\x00-\x1f\x7f]/g;

/** A double-quoted Lua string; control bytes become 3-digit decimal escapes (a digit may follow them). */
function luaString(s: string): string {
  // Most strings (ids, types, timestamps) need no escape: testing is cheaper than replacing.
  if (!SPECIAL.test(s)) return `"${s}"`;
  return `"${s.replace(SPECIALS, (c) => ESCAPES[c] ?? `\\${c.charCodeAt(0).toString().padStart(3, '0')}`)}"`;
}
