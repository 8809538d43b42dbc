import { resolve } from 'node:path';
import type { Schedule, ScheduleRun } from '@sloth/client';
import type {
  CatchUpPolicy,
  OverlapPolicy,
  ScheduleRecord,
  ScheduleRunRecord,
  ScheduleRunStatus,
  ScheduleTrigger,
} from '@sloth/store-sqlite';
import { type MasterFlags, withControl } from '../fleet-cli/connect.js';
import type { AddFlags } from './schedule-input.js';

/**
 * `scheduler add --master`: the master checks and stores the schedule. Relative paths are made absolute here, against
 * this directory: they name files on the master's machine, which it checks it can read.
 */
export function addOnMaster(flags: MasterFlags, name: string, add: AddFlags): Promise<ScheduleRecord> {
  return withControl(flags, async (c) => {
    const { schedule } = await c.addSchedule({
      name,
      cron: add.cron,
      file: resolve(add.file),
      workflow: add.workflow,
      stack: add.stack,
      params: add.param ?? [],
      values: (add.values ?? []).map((v) => resolve(v)),
      set: add.set ?? [],
      timezone: add.timezone,
      delegateTo: add['delegate-to'],
      overlap: add.overlap,
      catchUp: add['catch-up'],
      timeout: add.timeout,
      jitter: add.jitter,
      after: add.after,
      disabled: add.disabled,
    });
    return scheduleOf(schedule);
  });
}

/** `scheduler list --master`: the master's schedules and the latest run of each. */
export function listOnMaster(flags: MasterFlags): Promise<{ schedules: ScheduleRecord[]; last: Map<string, ScheduleRunRecord> }> {
  return withControl(flags, async (c) => {
    const res = await c.listSchedules({});
    const last = new Map<string, ScheduleRunRecord>();
    for (const s of res.schedules) if (s.lastRun) last.set(s.name, runOf(s.lastRun));
    return { schedules: res.schedules.map(scheduleOf), last };
  });
}

/** `scheduler show|history --master`: one of the master's schedules and its latest `runs` runs, newest first. */
export function getOnMaster(
  flags: MasterFlags,
  name: string,
  runs: number,
): Promise<{ s: ScheduleRecord; runs: ScheduleRunRecord[] }> {
  return withControl(flags, async (c) => {
    const res = await c.getSchedule({ name, runs });
    return { s: scheduleOf(res.schedule), runs: res.runs.map(runOf) };
  });
}

/** `scheduler remove --master`. */
export function removeOnMaster(flags: MasterFlags, name: string): Promise<void> {
  return withControl(flags, async (c) => {
    await c.removeSchedule({ name });
  });
}

/** `scheduler enable|disable --master`: the names changed. */
export function setEnabledOnMaster(flags: MasterFlags, name: string | undefined, enabled: boolean): Promise<string[]> {
  return withControl(flags, async (c) => (await c.setSchedulesEnabled({ name, enabled })).names);
}

const num = (n: bigint | undefined) => (n === undefined ? undefined : Number(n));

/** A schedule as the master sent it, as the local store would give it (the formatters take either). */
function scheduleOf(s: Schedule | undefined): ScheduleRecord {
  if (!s) throw new Error('the master answered without the schedule');
  return {
    name: s.name,
    cron: s.cron,
    timezone: s.timezone,
    file: s.file,
    workflow: s.workflow,
    stack: s.stack,
    runArgs: s.runArgs,
    overlap: s.overlap as OverlapPolicy,
    catchUp: s.catchUp as CatchUpPolicy,
    timeoutMs: num(s.timeoutMs),
    jitterMs: Number(s.jitterMs),
    after: s.after,
    // The master keeps it; nothing the CLI shows.
    afterCursor: 0,
    enabled: s.enabled,
    dueAt: num(s.dueAtMs),
    fireAt: num(s.fireAtMs),
    createdAt: Number(s.createdAtMs),
    updatedAt: Number(s.updatedAtMs),
  };
}

function runOf(r: ScheduleRun): ScheduleRunRecord {
  return {
    id: Number(r.id),
    schedule: r.schedule,
    trigger: r.trigger as ScheduleTrigger,
    status: r.status as ScheduleRunStatus,
    dueAt: Number(r.dueAtMs),
    startedAt: num(r.startedAtMs),
    finishedAt: num(r.finishedAtMs),
    exitCode: r.exitCode,
    error: r.error,
    stack: r.stack,
    executionId: r.executionId,
    host: undefined,
    pid: undefined,
  };
}
