import type { ScheduleRecord } from '@sloth/store-sqlite';
import { type CronTimes, parseCron } from './cron.js';

/** Parsed expressions by expression and timezone: a scheduler parses each one once, not at every firing. */
const parsed = new Map<string, CronTimes>();
const MAX_CACHED = 10_000;

/** The expression of a schedule, parsed (cached). */
export function cronOf(s: Pick<ScheduleRecord, 'cron' | 'timezone'>): CronTimes {
  const key = `${s.timezone ?? ''}\n${s.cron}`;
  let times = parsed.get(key);
  if (!times) {
    if (parsed.size >= MAX_CACHED) parsed.clear();
    times = parseCron(s.cron, s.timezone);
    parsed.set(key, times);
  }
  return times;
}

/** The schedule's first firing after `now`: when it is due, and when it starts (plus a random jitter up to jitterMs). */
export function nextFiring(
  s: Pick<ScheduleRecord, 'cron' | 'timezone' | 'jitterMs'>,
  now: number,
): { dueAt?: number; fireAt?: number } {
  const dueAt = cronOf(s).next(now);
  if (dueAt === undefined) return {};
  return { dueAt, fireAt: dueAt + (s.jitterMs > 0 ? Math.floor(Math.random() * (s.jitterMs + 1)) : 0) };
}
