import { checkEventPattern, didYouMean, SlothError } from '@sloth/core/internal';
import { type ExecutionRow as ExecRow, type HookExecutionRecord, toExecution } from './event-repo.js';
import { type Store, withStoreErrors } from './open-store.js';
import { perStore, prepareAll, type Statements } from './per-store.js';

/** A registered hook: which events it takes, and the Lua source copied when it was added. */
export interface HookRecord {
  name: string;
  /** An event type or a pattern with `*` wildcards. */
  eventType: string;
  stack: string | undefined;
  enabled: boolean;
  source: string;
  /** The file it was added from. */
  path: string;
  timeoutMs: number;
  maxAttempts: number;
  createdAt: number;
  updatedAt: number;
}

export type HookInput = Omit<HookRecord, 'createdAt' | 'updatedAt'>;

/** A hook with its latest execution, for `hook list`. */
export interface HookSummary extends HookRecord {
  lastExecution: HookExecutionRecord | undefined;
  executions: number;
}

const HOOK_COLUMNS =
  'name, event_type AS eventType, stack, enabled, source, path, timeout_ms AS timeoutMs, max_attempts AS maxAttempts, ' +
  'created_at AS createdAt, updated_at AS updatedAt';
const EXEC_COLUMNS =
  'id, hook, event_id AS eventId, attempt, success, output, error, duration_ms AS durationMs, started_at AS startedAt';

const SQL = {
  get: `SELECT ${HOOK_COLUMNS} FROM hooks WHERE name = ?`,
  list: `SELECT ${HOOK_COLUMNS} FROM hooks ORDER BY name`,
  enabled: `SELECT ${HOOK_COLUMNS} FROM hooks WHERE enabled = 1 ORDER BY name`,
  enabledCount: 'SELECT count(*) AS n FROM hooks WHERE enabled = 1',
  names: 'SELECT name FROM hooks ORDER BY name',
  upsert:
    'INSERT INTO hooks (name, event_type, stack, enabled, source, path, timeout_ms, max_attempts, created_at, updated_at) ' +
    'VALUES (@name, @eventType, @stack, @enabled, @source, @path, @timeoutMs, @maxAttempts, @now, @now) ' +
    'ON CONFLICT (name) DO UPDATE SET event_type = excluded.event_type, stack = excluded.stack, enabled = excluded.enabled, ' +
    'source = excluded.source, path = excluded.path, timeout_ms = excluded.timeout_ms, max_attempts = excluded.max_attempts, ' +
    'updated_at = excluded.updated_at',
  remove: 'DELETE FROM hooks WHERE name = ?',
  setEnabled: 'UPDATE hooks SET enabled = ?, updated_at = ? WHERE name = ?',
  history: `SELECT ${EXEC_COLUMNS} FROM hook_executions WHERE hook = ? ORDER BY started_at DESC, id DESC LIMIT ?`,
  lastOfEach:
    `SELECT ${EXEC_COLUMNS}, (SELECT count(*) FROM hook_executions c WHERE c.hook = e.hook) AS runs FROM hook_executions e ` +
    'WHERE id IN (SELECT max(id) FROM hook_executions GROUP BY hook)',
} as const;

type Row = Omit<HookRecord, 'enabled' | 'stack'> & { enabled: number; stack: string | null };

/** The hooks table: add (replacing), find, enable and disable, remove, and each hook's execution history. */
export class HookRepo {
  private readonly sql: Statements<typeof SQL>;

  constructor(readonly store: Store) {
    this.sql = prepareAll(store, SQL);
  }

  /** Adds a hook, or replaces the one of that name; `replaced` says which. */
  save(input: HookInput, now = Date.now()): { hook: HookRecord; replaced: boolean } {
    checkEventPattern(input.eventType, `hook '${input.name}'`);
    return this.store.write(() => {
      const replaced = this.sql.get.get(input.name) !== undefined;
      this.sql.upsert.run({ ...input, stack: input.stack ?? null, enabled: input.enabled ? 1 : 0, now });
      return { hook: this.get(input.name), replaced };
    });
  }

  /** A hook by name, or undefined. */
  find(name: string): HookRecord | undefined {
    const row = this.guard(() => this.sql.get.get(name) as Row | undefined);
    return row ? toHook(row) : undefined;
  }

  /** A hook by name; a not_found error with the nearest name when there is none. */
  get(name: string): HookRecord {
    const hook = this.find(name);
    if (hook) return hook;
    const names = this.guard(() => (this.sql.names.all() as { name: string }[]).map((r) => r.name));
    throw new SlothError('not_found', `no hook named '${name}'${didYouMean(name, names)}`, {
      hint: names.length > 0 ? 'see `sloth-runner hook list`' : 'add one with `sloth-runner hook add FILE`',
    });
  }

  /** Every hook, by name. */
  list(): HookRecord[] {
    return this.guard(() => (this.sql.list.all() as Row[]).map(toHook));
  }

  /** Every hook with its latest execution and how many times it ran. */
  summaries(): HookSummary[] {
    const last = new Map<string, ExecRow & { runs: number }>();
    for (const r of this.guard(() => this.sql.lastOfEach.all() as (ExecRow & { runs: number })[])) last.set(r.hook, r);
    return this.list().map((h) => {
      const r = last.get(h.name);
      return { ...h, lastExecution: r ? toExecution(r) : undefined, executions: r?.runs ?? 0 };
    });
  }

  /** The enabled hooks, by name (what a processor matches events against). */
  enabled(): HookRecord[] {
    return this.guard(() => (this.sql.enabled.all() as Row[]).map(toHook));
  }

  /** How many hooks are enabled (0: a run has nothing to drain). */
  enabledCount(): number {
    return this.guard(() => (this.sql.enabledCount.get() as { n: number }).n);
  }

  /** Removes a hook (its execution history stays, as the audit trail of the events it handled). */
  remove(name: string): void {
    this.get(name);
    this.guard(() => this.sql.remove.run(name));
  }

  /** Enables or disables a hook; returns it. */
  setEnabled(name: string, enabled: boolean, now = Date.now()): HookRecord {
    this.get(name);
    this.guard(() => this.sql.setEnabled.run(enabled ? 1 : 0, now, name));
    return this.get(name);
  }

  /** A hook's executions, newest first. */
  history(name: string, limit = 20): HookExecutionRecord[] {
    return this.guard(() => (this.sql.history.all(name, limit) as ExecRow[]).map(toExecution));
  }

  private guard<T>(fn: () => T): T {
    return withStoreErrors(this.store, fn);
  }
}

function toHook(r: Row): HookRecord {
  return { ...r, enabled: r.enabled === 1, stack: r.stack ?? undefined };
}

/** The HookRepo of a Store (prepared once per Store). */
export const hookRepo = perStore((store) => new HookRepo(store));
