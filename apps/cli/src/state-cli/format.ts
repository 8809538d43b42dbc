import type { StateEntry } from '@sloth/core/internal';

export { table } from '../render/table.js';

/** A value for people: strings as they are, anything else as JSON (pretty when `pretty`). */
export function showValue(value: unknown, pretty = false): string {
  return typeof value === 'string' ? value : JSON.stringify(value, null, pretty ? 2 : undefined);
}

/** A value cut to one table cell. */
export function cell(value: unknown, max = 60): string {
  const s = showValue(value).replace(/\s+/g, ' ');
  return s.length > max ? `${s.slice(0, max - 3)}...` : s;
}

/** Time left before `expiresAt`, for people: "59m59s", "never". */
export function ttlText(expiresAt: number | null, now = Date.now()): string {
  if (expiresAt === null) return 'never';
  let s = Math.max(0, Math.ceil((expiresAt - now) / 1000));
  const parts: string[] = [];
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
  ] as const) {
    if (s >= size) {
      parts.push(`${Math.floor(s / size)}${unit}`);
      s %= size;
    }
  }
  if (s > 0 || parts.length === 0) parts.push(`${s}s`);
  return parts.join('');
}

/** An entry for --output json (snake_case, ISO times, ttl in seconds like state.ttl: -1 = never). */
export function entryJson(e: StateEntry, now = Date.now()): Record<string, unknown> {
  return {
    key: e.key,
    value: e.value,
    ttl: e.expiresAt === null ? -1 : Math.ceil((e.expiresAt - now) / 1000),
    expires_at: e.expiresAt === null ? null : new Date(e.expiresAt).toISOString(),
    version: e.version,
    updated_at: new Date(e.updatedAt).toISOString(),
  };
}
