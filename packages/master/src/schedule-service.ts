import type { MessageInitShape } from '@bufbuild/protobuf';
import type { ServiceImpl } from '@connectrpc/connect';
import { SlothError } from '@sloth/core/internal';
import type { ControlService, ScheduleRunSchema, ScheduleSchema } from '@sloth/proto';
import { type ScheduleRecord, type ScheduleRunRecord, type Store, scheduleRepo } from '@sloth/store-sqlite';
import { addScheduleSchema, getScheduleSchema, scheduleNameSchema, setSchedulesEnabledSchema, validate } from './validation.js';

/** `scheduler add`'s flags, by their names there, as oclif parses them: what AddSchedule carries. */
export interface ScheduleAddFlags {
  cron?: string | undefined;
  file: string;
  workflow?: string | undefined;
  stack?: string | undefined;
  param?: string[] | undefined;
  values?: string[] | undefined;
  set?: string[] | undefined;
  timezone?: string | undefined;
  'delegate-to'?: string | undefined;
  overlap: string;
  'catch-up': string;
  timeout?: string | undefined;
  jitter?: string | undefined;
  after?: string | undefined;
  disabled: boolean;
}

/**
 * What changing schedules takes beyond the store: the checks of `scheduler add` (expression, timezone, file, names)
 * and the firing times of `scheduler enable`. The CLI gives its own, so a schedule added through the master is checked
 * exactly as one added locally.
 */
export interface ScheduleRules {
  /** Checks the flags (usage errors) and stores the schedule. */
  add(store: Store, name: string, flags: ScheduleAddFlags): ScheduleRecord;
  /** Enables or disables one schedule, or all when `name` is undefined; the names changed. */
  setEnabled(store: Store, name: string | undefined, enabled: boolean): string[];
}

type Handlers = Pick<
  ServiceImpl<typeof ControlService>,
  'addSchedule' | 'listSchedules' | 'getSchedule' | 'removeSchedule' | 'setSchedulesEnabled'
>;

/** The schedule RPCs of ControlService, on the master's store. Without rules, reads work and changes are unsupported. */
export function scheduleHandlers(store: Store, rules: ScheduleRules | undefined): Handlers {
  const needRules = (): ScheduleRules => {
    if (rules) return rules;
    throw new SlothError('unsupported', 'this master cannot change schedules (it was started without the scheduler rules)', {
      hint: 'start the master with `sloth-runner master start`',
    });
  };
  return {
    addSchedule: (req) => {
      const r = validate(addScheduleSchema, req, 'AddSchedule');
      const flags: ScheduleAddFlags = {
        cron: r.cron,
        file: r.file,
        workflow: r.workflow,
        stack: r.stack,
        param: r.params,
        values: r.values,
        set: r.set,
        timezone: r.timezone,
        'delegate-to': r.delegateTo,
        overlap: r.overlap || 'skip',
        'catch-up': r.catchUp || 'one',
        timeout: r.timeout,
        jitter: r.jitter,
        after: r.after,
        disabled: r.disabled,
      };
      return { schedule: scheduleWire(needRules().add(store, r.name, flags)) };
    },
    listSchedules: () => {
      const repo = scheduleRepo(store);
      const last = repo.lastRuns();
      return { schedules: repo.list().map((s) => scheduleWire(s, last.get(s.name))) };
    },
    getSchedule: (req) => {
      const r = validate(getScheduleSchema, req, 'GetSchedule');
      const repo = scheduleRepo(store);
      const schedule = scheduleWire(repo.get(r.name));
      return { schedule, runs: r.runs > 0 ? repo.history(r.name, r.runs).map(runWire) : [] };
    },
    removeSchedule: (req) => {
      const r = validate(scheduleNameSchema, req, 'RemoveSchedule');
      scheduleRepo(store).remove(r.name);
      return {};
    },
    setSchedulesEnabled: (req) => {
      const r = validate(setSchedulesEnabledSchema, req, 'SetSchedulesEnabled');
      return { names: needRules().setEnabled(store, r.name, r.enabled) };
    },
  };
}

const big = (n: number | undefined) => (n === undefined ? undefined : BigInt(n));

function scheduleWire(s: ScheduleRecord, last?: ScheduleRunRecord): MessageInitShape<typeof ScheduleSchema> {
  return {
    name: s.name,
    cron: s.cron,
    timezone: s.timezone,
    file: s.file,
    workflow: s.workflow,
    stack: s.stack,
    runArgs: s.runArgs,
    overlap: s.overlap,
    catchUp: s.catchUp,
    timeoutMs: big(s.timeoutMs),
    jitterMs: BigInt(s.jitterMs),
    after: s.after,
    enabled: s.enabled,
    dueAtMs: big(s.dueAt),
    fireAtMs: big(s.fireAt),
    createdAtMs: BigInt(s.createdAt),
    updatedAtMs: BigInt(s.updatedAt),
    lastRun: last ? runWire(last) : undefined,
  };
}

function runWire(r: ScheduleRunRecord): MessageInitShape<typeof ScheduleRunSchema> {
  return {
    id: BigInt(r.id),
    schedule: r.schedule,
    trigger: r.trigger,
    status: r.status,
    dueAtMs: BigInt(r.dueAt),
    startedAtMs: big(r.startedAt),
    finishedAtMs: big(r.finishedAt),
    exitCode: r.exitCode,
    error: r.error,
    stack: r.stack,
    executionId: r.executionId,
  };
}
