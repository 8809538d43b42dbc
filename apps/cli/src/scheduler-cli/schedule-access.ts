import type { ScheduleRecord, ScheduleRunRecord } from '@sloth/store-sqlite';
import type { MasterFlags } from '../fleet-cli/connect.js';
import type { AddFlags } from './schedule-input.js';

// The schedules a scheduler command works on: with --master the master's (over its Connect API), else the data
// directory's (its SQLite store). Both give the same records, so output is the same either way.

/** Every schedule and the latest run of each. */
export async function schedulesWithLast(
  flags: MasterFlags,
): Promise<{ schedules: ScheduleRecord[]; last: Map<string, ScheduleRunRecord> }> {
  if (flags.master !== undefined) return (await import('./remote.js')).listOnMaster(flags);
  const [{ withStore }, { scheduleRepo }] = await Promise.all([import('../store-access.js'), import('@sloth/store-sqlite')]);
  return withStore(flags['data-dir'], (store) => {
    const repo = scheduleRepo(store);
    return { schedules: repo.list(), last: repo.lastRuns() };
  });
}

/** One schedule (not_found naming the nearest) and its latest `runs` runs, newest first. */
export async function scheduleWithRuns(
  flags: MasterFlags,
  name: string,
  runs: number,
): Promise<{ s: ScheduleRecord; runs: ScheduleRunRecord[] }> {
  if (flags.master !== undefined) return (await import('./remote.js')).getOnMaster(flags, name, runs);
  const [{ withStore }, { scheduleRepo }] = await Promise.all([import('../store-access.js'), import('@sloth/store-sqlite')]);
  return withStore(flags['data-dir'], (store) => {
    const repo = scheduleRepo(store);
    return { s: repo.get(name), runs: repo.history(name, runs) };
  });
}

/** Removes a schedule and its history. */
export async function removeSchedule(flags: MasterFlags, name: string): Promise<void> {
  if (flags.master !== undefined) return (await import('./remote.js')).removeOnMaster(flags, name);
  const [{ withStore }, { scheduleRepo }] = await Promise.all([import('../store-access.js'), import('@sloth/store-sqlite')]);
  await withStore(flags['data-dir'], (store) => scheduleRepo(store).remove(name));
}

/** Enables or disables one schedule, or every one when `name` is undefined; the names changed. */
export async function setEnabled(flags: MasterFlags, name: string | undefined, enabled: boolean): Promise<string[]> {
  if (flags.master !== undefined) return (await import('./remote.js')).setEnabledOnMaster(flags, name, enabled);
  const [{ withStore }, { setSchedulesEnabled }] = await Promise.all([import('../store-access.js'), import('./set-enabled.js')]);
  return withStore(flags['data-dir'], (store) => setSchedulesEnabled(store, name, enabled));
}

/** Checks `scheduler add`'s flags (on the master with --master) and stores the schedule. */
export async function addSchedule(flags: MasterFlags, name: string, add: AddFlags): Promise<ScheduleRecord> {
  if (flags.master !== undefined) return (await import('./remote.js')).addOnMaster(flags, name, add);
  const [{ withStore }, { scheduleRepo }, { scheduleInput }] = await Promise.all([
    import('../store-access.js'),
    import('@sloth/store-sqlite'),
    import('./schedule-input.js'),
  ]);
  return withStore(flags['data-dir'], (store) => {
    const repo = scheduleRepo(store);
    return repo.add(scheduleInput(name, add, repo));
  });
}
