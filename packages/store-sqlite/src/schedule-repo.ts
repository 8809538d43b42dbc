import { hostname } from 'node:os';
import { didYouMean, pidIsDead, SlothError } from '@sloth/core/internal';
import { type Store, withStoreErrors } from './open-store.js';
import { perStore, prepareAll, type Statements } from './per-store.js';

export type OverlapPolicy = 'skip' | 'allow' | 'queue';
export type CatchUpPolicy = 'none' | 'one';
export type ScheduleTrigger = 'cron' | 'catch-up' | 'run-now' | 'after';
export type ScheduleRunStatus = 'running' | 'queued' | 'success' | 'failed' | 'timeout' | 'skipped' | 'interrupted';

/** A stored schedule: which workflow file runs, when, and how firings that collide or were missed are handled. */
export interface ScheduleRecord {
  name: string;
  cron: string;
  timezone: string | undefined;
  file: string;
  workflow: string | undefined;
  stack: string | undefined;
  /** The extra `workflow run` arguments (--param, -v, --set, --delegate-to). */
  runArgs: string[];
  overlap: OverlapPolicy;
  catchUp: CatchUpPolicy;
  timeoutMs: number | undefined;
  jitterMs: number;
  after: string | undefined;
  afterCursor: number;
  enabled: boolean;
  /** The next firing the expression gives; undefined when it has none. */
  dueAt: number | undefined;
  /** When that firing starts (dueAt plus its jitter). */
  fireAt: number | undefined;
  createdAt: number;
  updatedAt: number;
}

export type ScheduleInput = Omit<ScheduleRecord, 'createdAt' | 'updatedAt' | 'afterCursor'>;

/** One firing of a schedule and what became of it. */
export interface ScheduleRunRecord {
  id: number;
  schedule: string;
  trigger: ScheduleTrigger;
  status: ScheduleRunStatus;
  dueAt: number;
  startedAt: number | undefined;
  finishedAt: number | undefined;
  exitCode: number | undefined;
  error: string | undefined;
  /** The stack the run recorded itself in, and its execution there. */
  stack: string | undefined;
  executionId: string | undefined;
  host: string | undefined;
  pid: number | undefined;
}

/** How a run ended: its status, the exit code of its process, why it failed, and where it was recorded. */
export interface RunEnd {
  status: ScheduleRunStatus;
  exitCode?: number | undefined;
  error?: string | undefined;
  stack?: string | undefined;
  executionId?: string | undefined;
}

const COLUMNS =
  'name, cron, timezone, file, workflow, stack, run_args AS runArgs, overlap, catch_up AS catchUp, timeout_ms AS timeoutMs, ' +
  'jitter_ms AS jitterMs, after, after_cursor AS afterCursor, enabled, due_at AS dueAt, fire_at AS fireAt, ' +
  'created_at AS createdAt, updated_at AS updatedAt';
const RUN_COLUMNS =
  'id, schedule, trigger, status, due_at AS dueAt, started_at AS startedAt, finished_at AS finishedAt, exit_code AS exitCode, error, ' +
  'stack, execution_id AS executionId, host, pid';

const SQL = {
  get: `SELECT ${COLUMNS} FROM schedules WHERE name = ?`,
  list: `SELECT ${COLUMNS} FROM schedules ORDER BY name`,
  names: 'SELECT name FROM schedules ORDER BY name',
  insert:
    'INSERT INTO schedules (name, cron, timezone, file, workflow, stack, run_args, overlap, catch_up, timeout_ms, jitter_ms, after, ' +
    'after_cursor, enabled, due_at, fire_at, created_at, updated_at) VALUES (@name, @cron, @timezone, @file, @workflow, @stack, ' +
    '@runArgs, @overlap, @catchUp, @timeoutMs, @jitterMs, @after, @afterCursor, @enabled, @dueAt, @fireAt, @now, @now)',
  remove: 'DELETE FROM schedules WHERE name = ?',
  removeRuns: 'DELETE FROM schedule_runs WHERE schedule = ?',
  setEnabled: 'UPDATE schedules SET enabled = ?, due_at = ?, fire_at = ?, updated_at = ? WHERE name = ?',
  due: `SELECT ${COLUMNS} FROM schedules WHERE enabled = 1 AND fire_at IS NOT NULL AND fire_at <= ? ORDER BY fire_at LIMIT ?`,
  nextFire: 'SELECT min(fire_at) AS at FROM schedules WHERE enabled = 1 AND fire_at IS NOT NULL',
  advance: 'UPDATE schedules SET due_at = ?, fire_at = ? WHERE name = ? AND fire_at IS ?',
  dependents: `SELECT ${COLUMNS} FROM schedules WHERE after IS NOT NULL AND enabled = 1`,
  moveCursor: 'UPDATE schedules SET after_cursor = ? WHERE name = ? AND after_cursor = ?',
  lastSuccess: "SELECT max(id) AS id FROM schedule_runs WHERE schedule = ? AND status = 'success'",
  lastRunId: 'SELECT max(id) AS id FROM schedule_runs WHERE schedule = ?',
  insertRun:
    'INSERT INTO schedule_runs (schedule, trigger, status, due_at, started_at, finished_at, error, host, pid) ' +
    'VALUES (@schedule, @trigger, @status, @dueAt, @startedAt, @finishedAt, @error, @host, @pid)',
  getRun: `SELECT ${RUN_COLUMNS} FROM schedule_runs WHERE id = ?`,
  finishRun:
    'UPDATE schedule_runs SET status = @status, finished_at = @now, exit_code = @exitCode, error = @error, stack = @stack, ' +
    "execution_id = @executionId WHERE id = @id AND status = 'running'",
  startQueued:
    "UPDATE schedule_runs SET status = 'running', started_at = ?, host = ?, pid = ? WHERE id = ? AND status = 'queued'",
  live: `SELECT ${RUN_COLUMNS} FROM schedule_runs WHERE status IN ('running', 'queued')`,
  liveOf: `SELECT ${RUN_COLUMNS} FROM schedule_runs WHERE schedule = ? AND status IN ('running', 'queued') ORDER BY id`,
  history: `SELECT ${RUN_COLUMNS} FROM schedule_runs WHERE schedule = ? ORDER BY id DESC LIMIT ?`,
  lastOfEach: `SELECT ${RUN_COLUMNS} FROM schedule_runs WHERE id IN (SELECT max(id) FROM schedule_runs WHERE status != 'queued' GROUP BY schedule)`,
} as const;

type Row = Omit<
  ScheduleRecord,
  'enabled' | 'runArgs' | 'timezone' | 'workflow' | 'stack' | 'timeoutMs' | 'after' | 'dueAt' | 'fireAt'
> & {
  enabled: number;
  runArgs: string;
  timezone: string | null;
  workflow: string | null;
  stack: string | null;
  timeoutMs: number | null;
  after: string | null;
  dueAt: number | null;
  fireAt: number | null;
};
type RunRow = Pick<ScheduleRunRecord, 'id' | 'schedule' | 'trigger' | 'status' | 'dueAt'> & {
  startedAt: number | null;
  finishedAt: number | null;
  exitCode: number | null;
  error: string | null;
  stack: string | null;
  executionId: string | null;
  host: string | null;
  pid: number | null;
};

/** The schedules table and each schedule's runs (`scheduler add|list|history`, and the scheduler loop's reads). */
export class ScheduleRepo {
  private readonly sql: Statements<typeof SQL>;

  constructor(readonly store: Store) {
    this.sql = prepareAll(store, SQL);
  }

  /** Adds a schedule; a name already taken is an error (remove it first). */
  add(input: ScheduleInput, now = Date.now()): ScheduleRecord {
    return this.store.write(() => {
      if (this.sql.get.get(input.name) !== undefined) {
        throw new SlothError('invalid_argument', `a schedule named '${input.name}' exists already`, {
          hint: `remove it first with \`sloth-runner scheduler remove ${input.name}\`, or choose another name`,
        });
      }
      // A dependent reacts to runs of the other schedule that end after it was added, not to earlier ones.
      const afterCursor = input.after ? ((this.sql.lastRunId.get(input.after) as { id: number | null }).id ?? 0) : 0;
      this.sql.insert.run({
        ...input,
        timezone: input.timezone ?? null,
        workflow: input.workflow ?? null,
        stack: input.stack ?? null,
        runArgs: JSON.stringify(input.runArgs),
        timeoutMs: input.timeoutMs ?? null,
        after: input.after ?? null,
        afterCursor,
        enabled: input.enabled ? 1 : 0,
        dueAt: input.dueAt ?? null,
        fireAt: input.fireAt ?? null,
        now,
      });
      return this.get(input.name);
    });
  }

  /** A schedule by name, or undefined. */
  find(name: string): ScheduleRecord | undefined {
    const row = this.guard(() => this.sql.get.get(name) as Row | undefined);
    return row ? toSchedule(row) : undefined;
  }

  /** A schedule by name; a not_found error with the nearest name when there is none. */
  get(name: string): ScheduleRecord {
    const found = this.find(name);
    if (found) return found;
    const names = this.guard(() => (this.sql.names.all() as { name: string }[]).map((r) => r.name));
    throw new SlothError('not_found', `no schedule named '${name}'${didYouMean(name, names)}`, {
      hint:
        names.length > 0
          ? 'see `sloth-runner scheduler list`'
          : 'add one with `sloth-runner scheduler add NAME --cron ... -f FILE`',
    });
  }

  /** Every schedule, by name. */
  list(): ScheduleRecord[] {
    return this.guard(() => (this.sql.list.all() as Row[]).map(toSchedule));
  }

  /** Removes a schedule and its history. */
  remove(name: string): void {
    this.get(name);
    this.store.write(() => {
      this.sql.remove.run(name);
      this.sql.removeRuns.run(name);
    });
  }

  /** Enables (with its next firing) or disables (no next firing) a schedule. */
  setEnabled(name: string, enabled: boolean, next: { dueAt?: number; fireAt?: number }, now = Date.now()): ScheduleRecord {
    this.get(name);
    this.guard(() => this.sql.setEnabled.run(enabled ? 1 : 0, next.dueAt ?? null, next.fireAt ?? null, now, name));
    return this.get(name);
  }

  /** Enabled schedules whose firing time has come, earliest first (at most `limit`). */
  due(now: number, limit: number): ScheduleRecord[] {
    return this.guard(() => (this.sql.due.all(now, limit) as Row[]).map(toSchedule));
  }

  /** The earliest firing time of an enabled schedule, if any (how long a scheduler may sleep). */
  nextFireAt(): number | undefined {
    return this.guard(() => (this.sql.nextFire.get() as { at: number | null }).at ?? undefined);
  }

  /**
   * Moves a schedule from the firing at `seenFireAt` to the next one; false when another scheduler moved it first
   * (that one fires it).
   */
  advance(name: string, seenFireAt: number | undefined, next: { dueAt?: number; fireAt?: number }): boolean {
    return this.store.write(
      () => this.sql.advance.run(next.dueAt ?? null, next.fireAt ?? null, name, seenFireAt ?? null).changes > 0,
    );
  }

  /** Enabled schedules that run after another one. */
  dependents(): ScheduleRecord[] {
    return this.guard(() => (this.sql.dependents.all() as Row[]).map(toSchedule));
  }

  /**
   * The id of a successful run of `after` newer than the dependent's cursor, taken (the cursor moved to it) so only one
   * scheduler reacts to it; undefined when there is none or another scheduler took it.
   */
  takeAfterSuccess(dependent: ScheduleRecord): number | undefined {
    if (!dependent.after) return undefined;
    const after = dependent.after;
    const newer = () => {
      const id = (this.sql.lastSuccess.get(after) as { id: number | null }).id;
      return id === null || id <= dependent.afterCursor ? undefined : id;
    };
    // Read first: a tick looks at every dependent, and most have nothing new (no write lock for them).
    if (this.guard(newer) === undefined) return undefined;
    return this.store.write(() => {
      const id = newer();
      if (id === undefined) return undefined;
      return this.sql.moveCursor.run(id, dependent.name, dependent.afterCursor).changes > 0 ? id : undefined;
    });
  }

  /** Records a firing: a run starting now (running), one waiting for the run before it (queued), or a skipped one. */
  recordRun(
    schedule: string,
    trigger: ScheduleTrigger,
    status: 'running' | 'queued' | 'skipped',
    dueAt: number,
    error?: string,
    now = Date.now(),
  ): ScheduleRunRecord {
    return this.store.write(() => {
      const { lastInsertRowid } = this.sql.insertRun.run({
        schedule,
        trigger,
        status,
        dueAt,
        startedAt: status === 'running' ? now : null,
        finishedAt: status === 'skipped' ? now : null,
        error: error ?? null,
        host: hostname(),
        pid: process.pid,
      });
      return toRun(this.sql.getRun.get(lastInsertRowid) as RunRow);
    });
  }

  /** Starts a queued run (in this process); false when it is no longer queued. */
  startQueued(id: number, now = Date.now()): boolean {
    return this.store.write(() => this.sql.startQueued.run(now, hostname(), process.pid, id).changes > 0);
  }

  /** Records how a running run ended. */
  finishRun(id: number, end: RunEnd, now = Date.now()): void {
    this.store.write(() =>
      this.sql.finishRun.run({
        id,
        now,
        status: end.status,
        exitCode: end.exitCode ?? null,
        error: end.error ?? null,
        stack: end.stack ?? null,
        executionId: end.executionId ?? null,
      }),
    );
  }

  /** A run by id. */
  run(id: number): ScheduleRunRecord | undefined {
    const row = this.guard(() => this.sql.getRun.get(id) as RunRow | undefined);
    return row ? toRun(row) : undefined;
  }

  /** The running and queued runs of every schedule. */
  live(): ScheduleRunRecord[] {
    return this.guard(() => (this.sql.live.all() as RunRow[]).map(toRun));
  }

  /** The running and queued runs of a schedule, oldest first. */
  liveRuns(schedule: string): ScheduleRunRecord[] {
    return this.guard(() => (this.sql.liveOf.all(schedule) as RunRow[]).map(toRun));
  }

  /**
   * Marks interrupted the running and queued runs of processes of this host that died (a scheduler killed while its
   * runs went on); returns how many.
   */
  recoverDead(now = Date.now()): number {
    const live = this.live();
    let n = 0;
    for (const r of live) {
      if (r.host !== hostname() || r.pid === undefined || !pidIsDead(r.pid)) continue;
      if (r.status === 'queued') {
        this.store.write(() => this.sql.startQueued.run(now, hostname(), process.pid, r.id));
      }
      this.finishRun(r.id, { status: 'interrupted', error: `the scheduler running it (pid ${r.pid}) died` }, now);
      n += 1;
    }
    return n;
  }

  /** A schedule's runs, newest first. */
  history(name: string, limit = 20): ScheduleRunRecord[] {
    return this.guard(() => (this.sql.history.all(name, limit) as RunRow[]).map(toRun));
  }

  /** The latest run (not queued) of every schedule that has one, by schedule name. */
  lastRuns(): Map<string, ScheduleRunRecord> {
    const rows = this.guard(() => this.sql.lastOfEach.all() as RunRow[]);
    return new Map(rows.map((r) => [r.schedule, toRun(r)]));
  }

  private guard<T>(fn: () => T): T {
    return withStoreErrors(this.store, fn);
  }
}

/** A row with SQL NULLs made undefined, the way records say "not set". */
type NullsUndefined<T> = { [K in keyof T]: null extends T[K] ? Exclude<T[K], null> | undefined : T[K] };

function nullsUndefined<T extends object>(row: T): NullsUndefined<T> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = v ?? undefined;
  return out as NullsUndefined<T>;
}

function toSchedule(r: Row): ScheduleRecord {
  return { ...nullsUndefined(r), enabled: r.enabled === 1, runArgs: JSON.parse(r.runArgs) as string[] };
}

function toRun(r: RunRow): ScheduleRunRecord {
  return nullsUndefined(r);
}

/** The schedule repository of a Store (one per Store: its statements are prepared once). */
export const scheduleRepo = perStore((store) => new ScheduleRepo(store));
