import { hostname } from 'node:os';
import { pidIsDead } from '@sloth/core/internal';
import type Database from 'better-sqlite3';
import { type Store, withStoreErrors } from './open-store.js';
import { perStore, prepareAll, type Statements } from './per-store.js';

/** A recorded workflow run. `interrupted`: its process died while it ran. */
export interface RunRecord {
  id: string;
  workflow: string;
  stack: string | null;
  status: string;
  host: string;
  pid: number;
  startedAt: number;
  finishedAt: number | null;
  error: string | null;
  taskCount: number;
}

/** One task of a recorded run. */
export interface RunTaskRecord {
  name: string;
  status: string;
  attempts: number;
  changed: boolean;
  durationMs: number | null;
  error: string | null;
  agent: string | null;
  /** The tasks of the run it depends on ([] also for runs recorded before dependencies were kept). */
  deps: string[];
}

/** One recorded log line of a run. */
export interface RunLogRecord {
  seq: number;
  at: number;
  task: string;
  agent: string | null;
  level: string;
  stream: string | null;
  message: string;
}

/** What a task's end records. */
export type RunTaskEnd = Pick<RunTaskRecord, 'status' | 'attempts' | 'changed' | 'durationMs' | 'error' | 'agent'>;

/** How long runs (with their tasks and logs) are kept: a new run forgets those that started earlier. */
export const RUN_RETENTION_MS = 30 * 86_400_000;

const RUN_COLUMNS =
  'id, workflow, stack, status, host, pid, started_at AS startedAt, finished_at AS finishedAt, error, ' +
  '(SELECT count(*) FROM run_tasks t WHERE t.run_id = runs.id) AS taskCount';

const SQL = {
  start:
    'INSERT OR REPLACE INTO runs (id, workflow, stack, status, host, pid, started_at) VALUES (@id, @workflow, @stack, @status, @host, @pid, @startedAt)',
  addTask: "INSERT OR REPLACE INTO run_tasks (run_id, position, name, status, deps) VALUES (?, ?, ?, 'pending', ?)",
  taskStatus: 'UPDATE run_tasks SET status = @status, attempts = max(attempts, @attempts) WHERE run_id = @runId AND name = @name',
  taskEnd:
    'UPDATE run_tasks SET status = @status, attempts = @attempts, changed = @changed, duration_ms = @durationMs, error = @error, agent = @agent ' +
    'WHERE run_id = @runId AND name = @name',
  finish: 'UPDATE runs SET status = ?, finished_at = ?, error = ? WHERE id = ?',
  log: 'INSERT OR IGNORE INTO run_logs (run_id, seq, at, task, agent, level, stream, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  latest: `SELECT ${RUN_COLUMNS} FROM runs ORDER BY started_at DESC LIMIT ?`,
  get: `SELECT ${RUN_COLUMNS} FROM runs WHERE id = ?`,
  // A running run is grouped by its process, which may have died since (then it counts as interrupted).
  countsSince:
    "SELECT status, CASE WHEN status = 'running' THEN host END AS host, CASE WHEN status = 'running' THEN pid END AS pid, " +
    'count(*) AS n FROM runs WHERE started_at >= ? GROUP BY 1, 2, 3',
  tasks:
    'SELECT name, status, attempts, changed, duration_ms AS durationMs, error, agent, deps FROM run_tasks WHERE run_id = ? ORDER BY position',
  logs: 'SELECT seq, at, task, agent, level, stream, message FROM run_logs WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?',
  pruneLogs: 'DELETE FROM run_logs WHERE run_id IN (SELECT id FROM runs WHERE started_at < ?)',
  pruneTasks: 'DELETE FROM run_tasks WHERE run_id IN (SELECT id FROM runs WHERE started_at < ?)',
  pruneRuns: 'DELETE FROM runs WHERE started_at < ?',
} as const;

/** The workflow runs of a data directory, their tasks and log lines, on a Store. */
export class RunRepo {
  private readonly sql: Statements<typeof SQL>;
  private readonly begin: Database.Transaction<(run: RunStart) => void>;
  private readonly appendLogs: Database.Transaction<(runId: string, lines: readonly RunLogRecord[]) => void>;
  private readonly prune: Database.Transaction<(before: number) => number>;

  constructor(readonly store: Store) {
    this.sql = prepareAll(store, SQL);
    this.begin = store.sqlite.transaction((run: RunStart) => {
      this.sql.start.run({ ...run, status: 'running', host: run.host ?? hostname(), pid: run.pid ?? process.pid });
      const names = new Set(run.tasks);
      for (const [i, name] of run.tasks.entries()) this.sql.addTask.run(run.id, i, name, depsJson(run.deps?.[name], names));
    });
    this.appendLogs = store.sqlite.transaction((runId: string, lines: readonly RunLogRecord[]) => {
      for (const l of lines) this.sql.log.run(runId, l.seq, l.at, l.task, l.agent, l.level, l.stream, l.message);
    });
    this.prune = store.sqlite.transaction((before: number) => {
      this.sql.pruneLogs.run(before);
      this.sql.pruneTasks.run(before);
      return this.sql.pruneRuns.run(before).changes;
    });
  }

  /** Records a run that starts, with its tasks pending, as this process's (or the host and pid it names). */
  start(run: RunStart): void {
    this.run(() => this.begin.immediate(run));
  }

  /** A task started (or started again: `retrying` between attempts). */
  taskStatus(runId: string, name: string, status: 'running' | 'retrying', attempts: number): void {
    this.run(() => this.sql.taskStatus.run({ runId, name, status, attempts }));
  }

  /** A task ended. */
  taskEnd(runId: string, name: string, end: RunTaskEnd): void {
    this.run(() => this.sql.taskEnd.run({ runId, name, ...end, changed: end.changed ? 1 : 0 }));
  }

  /** The run ended. */
  finish(runId: string, status: string, finishedAt: number, error: string | undefined): void {
    this.run(() => this.sql.finish.run(status, finishedAt, error ?? null, runId));
  }

  /** Appends log lines (numbered by the caller) in one transaction. */
  log(runId: string, lines: readonly RunLogRecord[]): void {
    if (lines.length > 0) this.run(() => this.appendLogs.immediate(runId, lines));
  }

  /** The `limit` latest runs, newest first. */
  latest(limit: number): RunRecord[] {
    return this.run(() => (this.sql.latest.all(limit) as RunRecord[]).map(liveStatus));
  }

  /** How many runs started at `since` or later, by status (a run whose process died counts as interrupted). */
  countsSince(since: number): Record<string, number> {
    const rows = this.run(
      () => this.sql.countsSince.all(since) as (Pick<RunRecord, 'status' | 'host' | 'pid'> & { n: number })[],
    );
    const counts: Record<string, number> = {};
    for (const r of rows) {
      const { status } = liveStatus(r);
      counts[status] = (counts[status] ?? 0) + r.n;
    }
    return counts;
  }

  /** One run, or undefined. */
  get(id: string): RunRecord | undefined {
    const r = this.run(() => this.sql.get.get(id) as RunRecord | undefined);
    return r && liveStatus(r);
  }

  /** The tasks of a run, in the workflow's order. */
  tasks(runId: string): RunTaskRecord[] {
    return this.run(() =>
      (this.sql.tasks.all(runId) as (Omit<RunTaskRecord, 'changed' | 'deps'> & { changed: number; deps: string | null })[]).map(
        (t) => ({ ...t, changed: t.changed === 1, deps: t.deps === null ? [] : (JSON.parse(t.deps) as string[]) }),
      ),
    );
  }

  /** At most `limit` log lines of a run numbered after `afterSeq`, in order. */
  logs(runId: string, afterSeq: number, limit: number): RunLogRecord[] {
    return this.run(() => this.sql.logs.all(runId, afterSeq, limit) as RunLogRecord[]);
  }

  /** Forgets the runs started before `before`, with their tasks and logs; returns how many. */
  forgetBefore(before: number): number {
    return this.run(() => this.prune.immediate(before));
  }

  private run<T>(fn: () => T): T {
    return withStoreErrors(this.store, fn);
  }
}

/** What a run records when it starts. */
export interface RunStart {
  id: string;
  workflow: string;
  stack: string | null;
  startedAt: number;
  tasks: readonly string[];
  /** Each task's dependencies, by name (a run reported by an older CLI has none). */
  deps?: Readonly<Record<string, readonly unknown[]>> | undefined;
  /** Where the run goes on, when not in this process (a run a CLI reports to its master). */
  host?: string | undefined;
  pid?: number | undefined;
}

/**
 * A task's dependencies as stored: JSON of the names among the run's tasks (a reported run's events come from another
 * process, so anything else is dropped); null when the run said nothing of them.
 */
function depsJson(deps: readonly unknown[] | undefined, tasks: ReadonlySet<string>): string | null {
  if (!Array.isArray(deps)) return null;
  return JSON.stringify(deps.filter((d): d is string => typeof d === 'string' && tasks.has(d)));
}

/** A run still marked running whose process is gone (same host, dead pid) was interrupted. */
function liveStatus<T extends Pick<RunRecord, 'status' | 'host' | 'pid'>>(r: T): T {
  if (r.status === 'running' && r.host === hostname() && pidIsDead(r.pid)) return { ...r, status: 'interrupted' };
  return r;
}

/** The run repository of a store (one per store: its statements are prepared once). */
export const runRepo = perStore((store) => new RunRepo(store));
