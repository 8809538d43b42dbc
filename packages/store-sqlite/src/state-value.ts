import { SlothError } from '@sloth/core';

/**
 * Encodes a state value as JSON text, refusing what JSON cannot hold back unchanged (functions, NaN, cycles)
 * with an error naming the key and where in the value the problem is. Object keys are sorted, so equal
 * tables encode to equal text.
 */
export function encodeStateValue(key: string, value: unknown, who = 'state.set'): string {
  // Scalars are the hot path (counters, flags): skip the walk.
  if (typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) {
    return JSON.stringify(value);
  }
  return JSON.stringify(plain(value, [], new Set(), { key, who }));
}

/** The value a row's JSON text stands for. */
export function decodeStateValue(text: string): unknown {
  return JSON.parse(text);
}

/** True when both values encode alike: how compare_swap compares what it expects with what is stored. */
export function sameStateValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

/** A Lua table with no elements: it arrives as [] or {} and both mean the same empty table. */
export function isEmptyTable(value: unknown): boolean {
  if (Array.isArray(value)) return value.length === 0;
  return value !== null && typeof value === 'object' && Object.keys(value).length === 0;
}

interface Where {
  key: string;
  who: string;
}

function plain(value: unknown, path: string[], seen: Set<object>, where: Where): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw unstorable(where, path, `the number ${value}`, 'store a string or nil instead');
    return value;
  }
  if (typeof value === 'bigint') return Number(value);
  if (typeof value !== 'object') {
    throw unstorable(
      where,
      path,
      `a ${typeof value === 'function' ? 'function' : typeof value}`,
      'only strings, numbers, booleans and tables can be stored',
    );
  }
  if (seen.has(value)) throw unstorable(where, path, 'a table that contains itself', 'break the cycle before storing it');
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((v, i) => plain(v, [...path, String(i + 1)], seen, where));
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      // Lua tables cannot hold nil: a null field is an absent one.
      if (v !== undefined && v !== null) out[k] = plain(v, [...path, k], seen, where);
    }
    return out;
  } finally {
    seen.delete(value);
  }
}

function canonical(value: unknown): unknown {
  if (isEmptyTable(value)) return [];
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined && v !== null) out[k] = canonical(v);
    }
    return out;
  }
  return value ?? null;
}

function unstorable(where: Where, path: string[], what: string, hint: string): SlothError {
  const at = path.length > 0 ? ` at '${path.join('.')}'` : '';
  return new SlothError('invalid_argument', `${where.who}('${where.key}'): cannot store ${what}${at}`, { hint });
}
