/** Makes a JS value safe to push into Lua: null crashes wasmoon, so it becomes nil; dates become ISO strings. */
export function toLua(value: unknown, seen = new Map<object, unknown>()): unknown {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'object') return typeof value === 'bigint' ? Number(value) : value;
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Error) return value.message;
  const known = seen.get(value);
  if (known) return known;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    seen.set(value, out);
    for (const v of value) out.push(toLua(v, seen));
    return out;
  }
  const out: Record<string, unknown> = {};
  seen.set(value, out);
  for (const [k, v] of Object.entries(value)) {
    const converted = toLua(v, seen);
    if (converted !== undefined) out[k] = converted;
  }
  return out;
}

/** Lua hands JS `null` for nil; callers that store values want undefined. */
export function fromLua(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) return value.map(fromLua);
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const converted = fromLua(v);
      if (converted !== undefined) out[k] = converted;
    }
    return out;
  }
  return value;
}

/** A Lua sequence as a JS array: an empty table arrives as {} and a sparse one as an object with numeric keys. */
export function asList<T>(value: unknown): T[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value as T[];
  if (typeof value === 'object') {
    return Object.entries(value)
      .filter(([k]) => /^\d+$/.test(k))
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([, v]) => v as T);
  }
  return [];
}
