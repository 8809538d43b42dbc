import { SlothError } from './errors.js';

// Event types are dot-separated lowercase names: a category, then the event (`deploy.started`, `task.failed`,
// `custom.cache_warmed`). Hooks name them exactly or with `*` wildcards (`task.*`, `*`).
const SEGMENT = '[a-z0-9][a-z0-9_-]*';
const EVENT_TYPE = new RegExp(`^${SEGMENT}(\\.${SEGMENT})+$`);
const PATTERN_SEGMENT = '(?:[a-z0-9_*-]+)';
const EVENT_PATTERN = new RegExp(`^${PATTERN_SEGMENT}(\\.${PATTERN_SEGMENT})*$`);
const MAX_TYPE_LENGTH = 128;

/** True for a valid event type such as `deploy.started`. */
export function isEventType(type: string): boolean {
  return type.length <= MAX_TYPE_LENGTH && EVENT_TYPE.test(type);
}

/** Throws a usage error naming `who` unless `type` is a valid event type such as `deploy.started`. */
export function checkEventType(type: string, who: string): string {
  if (isEventType(type)) return type;
  throw new SlothError('invalid_argument', `${who}: invalid event type '${type}'`, {
    hint: 'an event type is a category and a name in lowercase, separated by dots, e.g. "deploy.started" or "backup.db_failed"',
  });
}

/** Throws unless `pattern` is an event type or a pattern with `*` wildcards (`task.*`, `*.failed`, `*`). */
export function checkEventPattern(pattern: string, who: string): string {
  if (pattern.length <= MAX_TYPE_LENGTH && EVENT_PATTERN.test(pattern)) return pattern;
  throw new SlothError('invalid_argument', `${who}: invalid event type pattern '${pattern}'`, {
    hint: 'use an event type ("task.failed"), a wildcard for one category ("task.*") or "*" for every event',
  });
}

const compiled = new Map<string, RegExp>();

/** True when `type` matches `pattern`: `*` stands for any run of characters, dots included (`task.*`, `*`). */
export function eventTypeMatches(pattern: string, type: string): boolean {
  if (pattern === '*' || pattern === type) return true;
  if (!pattern.includes('*')) return false;
  let re = compiled.get(pattern);
  if (!re) {
    re = new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`);
    compiled.set(pattern, re);
  }
  return re.test(type);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}
