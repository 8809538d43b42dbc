import { SlothError } from './errors.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

/** Parses a Go-style duration ("1h30m", "250ms", "5m") or a number of seconds into milliseconds. */
export function parseDuration(input: string | number, what = 'duration'): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) {
      throw new SlothError('invalid_argument', `${what} must be a non-negative number of seconds, got ${input}`);
    }
    return Math.round(input * 1000);
  }
  const text = input.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  let total = 0;
  let consumed = 0;
  for (const match of text.matchAll(PART)) {
    if (match.index !== consumed) break;
    total += Number(match[1]) * (UNIT_MS[match[2] as string] as number);
    consumed += match[0].length;
  }
  if (consumed === 0 || consumed !== text.length) {
    throw new SlothError('invalid_argument', `invalid ${what} "${input}"`, {
      hint: 'use a number of seconds or units like "300ms", "30s", "5m", "1h30m"',
    });
  }
  return Math.round(total);
}

/** Formats milliseconds for people: 850ms, 2.3s, 4m05s. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 59_950) return `${(ms / 1000).toFixed(ms < 9_995 ? 2 : 1)}s`;
  // Round to whole seconds first, so 1m59.7s shows as 2m00s rather than 1m60s.
  const total = Math.round(ms / 1000);
  const m = Math.floor(total / 60);
  const s = total % 60;
  return `${m}m${String(s).padStart(2, '0')}s`;
}

/**
 * The message of anything stopped by a time limit: "timed out after 30s" (whole seconds), "... 1500ms" otherwise,
 * so a limit reads the way it was most likely written.
 */
export function timedOutAfter(limitMs: number): string {
  const ms = Math.round(limitMs);
  return `timed out after ${ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`}`;
}
