import { type Store, scheduleRepo } from '@sloth/store-sqlite';
import { nextFiring } from '../scheduler/next-firing.js';

/**
 * Enables or disables one schedule, or all when `name` is undefined; returns the names changed. Enabling starts from
 * the next firing after now: what was due while it was disabled is not caught up.
 */
export function setSchedulesEnabled(store: Store, name: string | undefined, enabled: boolean, now = Date.now()): string[] {
  const repo = scheduleRepo(store);
  const targets = name === undefined ? repo.list() : [repo.get(name)];
  for (const s of targets) {
    const next = enabled && s.cron !== '' ? nextFiring(s, now) : {};
    repo.setEnabled(s.name, enabled, next, now);
  }
  return targets.map((s) => s.name);
}
