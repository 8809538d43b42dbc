import { z } from 'zod';
import { didYouMean } from './closest-name.js';
import { parseDuration } from './duration.js';
import { luaTypeName } from './module-sdk.js';

// Lua has one table type. An empty table crosses into JS as an empty list, whatever the caller meant, and a table
// of key = value pairs and a list are told apart only by their keys: these schemas settle it once for every module.

const isEmptyList = (v: unknown) => Array.isArray(v) && v.length === 0;
const isEmptyMap = (v: unknown) =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0;

/**
 * A table of key = value pairs checked by `schema` (a z.record or z.object): an empty table is `{}`, a non-empty list
 * is refused with `listError`. Example: `luaTable(z.record(z.string(), z.unknown())).optional()`.
 */
export function luaTable<S extends z.ZodType>(schema: S, listError = 'expected a table of key = value pairs, got a list') {
  return z.preprocess(
    (v) => (isEmptyList(v) ? {} : v),
    z
      .unknown()
      .refine((v) => !Array.isArray(v), listError)
      .pipe(schema),
  );
}

/** A list checked by `schema` (a z.array): an empty table is `[]` whichever way it arrived. */
export function luaList<S extends z.ZodType>(schema: S) {
  return z.preprocess((v) => (isEmptyMap(v) ? [] : v), schema);
}

/**
 * A table of named options or fields that refuses an unknown key with the nearest known name and the list of them
 * (a misspelt `mdoe` must not be silently ignored): `unknown option 'timout' (did you mean 'timeout'?); options are ...`.
 */
export function strictTable<S extends z.core.$ZodLooseShape>(shape: S, what: 'option' | 'field' = 'option') {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown ${what} '${String(issue.keys[0])}'${didYouMean(String(issue.keys[0]), known)}; ${what}s are ${known.join(', ')}`
        : undefined,
  });
}

/** A duration as users write it ("30s", "250ms", "1h30m", or a number of seconds), parsed into milliseconds. */
export const durationField = z
  .union([z.string(), z.number()], {
    error: (issue) => `expected a duration like "30s" or a number of seconds, got ${luaTypeName(issue.input)}`,
  })
  .transform((value, zctx) => {
    try {
      return parseDuration(value);
    } catch (err) {
      const hint = (err as { hint?: string }).hint;
      zctx.addIssue({ code: 'custom', message: hint ? `${(err as Error).message} (${hint})` : (err as Error).message });
      return z.NEVER;
    }
  });
