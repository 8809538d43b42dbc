/** Renders any Lua value as text the way `tostring` would, except tables, which become compact JSON. */
export function renderMessage(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return 'nil';
  if (typeof value === 'number') return renderNumber(value);
  if (typeof value === 'function') return 'function';
  if (typeof value === 'object') return JSON.stringify(value, jsonSafe) ?? 'nil';
  return String(value);
}

/** Makes a `fields` table safe to serialise: functions and non-finite numbers become strings. */
export function renderFields(fields: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(fields, jsonSafe)) as Record<string, unknown>;
}

function renderNumber(n: number): string {
  // Lua prints these as nan/inf; JSON.stringify would turn them into null.
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  return String(n);
}

// An empty Lua table may reach JS as []; Lua has no way to tell it from {}, and {} reads better in a log.
function jsonSafe(_key: string, value: unknown): unknown {
  if (Array.isArray(value) && value.length === 0) return {};
  if (typeof value === 'function') return 'function';
  if (typeof value === 'number' && !Number.isFinite(value)) return renderNumber(value);
  if (typeof value === 'bigint') return value.toString();
  return value;
}
