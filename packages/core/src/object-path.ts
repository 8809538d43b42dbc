import { isPlainObject } from './deep-merge.js';
import { SlothError } from './errors.js';

/** Splits "a.b.1.c" into keys. */
export function splitPath(path: string): string[] {
  return path.split('.').filter((p) => p.length > 0);
}

/** Reads a nested value by dotted path, or undefined; numeric keys index arrays from 1, as in Lua. */
export function getPath(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const key of splitPath(path)) {
    if (Array.isArray(current)) current = current[Number(key) - 1];
    else if (isPlainObject(current)) current = current[key];
    else return undefined;
  }
  return current;
}

/**
 * Returns a copy of `value` with the nested `path` set, creating tables on the way. Numeric keys index
 * lists from 1, as in Lua; a non-numeric key into a list is an error rather than a silent change of shape.
 */
export function setPath(value: unknown, path: string, newValue: unknown): Record<string, unknown> | unknown[] {
  const keys = splitPath(path);
  const copyOf = (v: unknown): Record<string, unknown> | unknown[] =>
    Array.isArray(v) ? [...v] : isPlainObject(v) ? { ...v } : {};
  const root = copyOf(value);
  let node = root;
  keys.forEach((key, i) => {
    let slot: string | number = key;
    if (Array.isArray(node)) {
      if (!/^[1-9]\d*$/.test(key)) {
        const where = i === 0 ? 'the table is a list' : `'${keys.slice(0, i).join('.')}' is a list`;
        throw new SlothError('invalid_argument', `cannot set '${path}': ${where}, so '${key}' must be a position from 1`);
      }
      slot = Number(key) - 1;
    }
    const target = node as Record<string | number, unknown>;
    if (i === keys.length - 1) {
      target[slot] = newValue;
      return;
    }
    const copy = copyOf(target[slot]);
    target[slot] = copy;
    node = copy;
  });
  return root;
}

/** Parses `a.b=c` into ['a.b', typed value]: numbers, true/false and null are converted. */
export function parseAssignment(text: string): [string, unknown] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new Error(`expected key=value, got "${text}"`);
  const raw = text.slice(eq + 1);
  let value: unknown = raw;
  if (raw === 'true') value = true;
  else if (raw === 'false') value = false;
  else if (raw === 'null') value = null;
  else if (raw !== '' && /^-?\d+(\.\d+)?$/.test(raw)) value = Number(raw);
  return [text.slice(0, eq), value];
}
