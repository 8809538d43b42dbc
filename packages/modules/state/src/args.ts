import { arg, z } from '@sloth/core';

/** A state key: any non-empty string. */
export const keyArg = arg('key', z.string().min(1, 'a key cannot be empty'), 'the key, any non-empty string');
/** Any Lua value that JSON can hold: strings, numbers, booleans, tables of them. */
export const valueArg = arg('value', z.unknown(), 'a string, number, boolean or table (nested tables round-trip)');
/** An optional time to live. */
export const ttlArg = arg(
  'ttl',
  z.union([z.number(), z.string()]).optional(),
  'time to live: seconds (3600) or a duration ("1h", "30m"); nil = never expires',
);
/** A glob over keys. */
export const patternArg = arg(
  'pattern',
  z.string().optional(),
  'glob over keys: * any run of characters, ? one character, [abc] one of them; case-sensitive; nil = every key',
);
/** A lock name. */
export const lockNameArg = arg('name', z.string().min(1, 'a lock name cannot be empty'), 'the lock name');
