import { hostname } from 'node:os';
import { checkEventType, eventTypeMatches, maskDeep, maskSecrets, pidIsDead, SlothError } from '@sloth/core/internal';
import type Database from 'better-sqlite3';
import { writeEagerly, writeIfFree } from './busy-retry.js';
import { newEventId } from './event-id.js';
import { EventJournal, type JournalRow, recoverJournals } from './event-journal.js';
import { type Store, withStoreErrors } from './open-store.js';
import { perStore, prepareAll, type Statements } from './per-store.js';

// Raw SQL, every statement prepared once per store (dispatch and claim are the hot paths of the queue). Column names
// are those of schema.ts.

export type EventStatus = 'pending' | 'processing' | 'completed' | 'failed';
export const EVENT_STATUSES: readonly EventStatus[] = ['pending', 'processing', 'completed', 'failed'];

/** Where an event comes from and what it belongs to. */
export interface EventMetaInput {
  /** "cli", "workflow:<name>", "hook:<name>"... */
  source: string;
  stack?: string | undefined;
  runId?: string | undefined;
  /** How many hook dispatches led to it (0 outside hooks); past MAX_EVENT_DEPTH dispatch refuses it. */
  depth?: number | undefined;
}

/**
 * The longest chain of events dispatched by hooks reacting to events: a hook that dispatches an event it matches
 * itself (or hooks that dispatch each other's events) would otherwise loop for ever.
 */
export const MAX_EVENT_DEPTH = 16;

export interface EventRecord {
  id: string;
  type: string;
  source: string;
  stack: string | undefined;
  runId: string | undefined;
  data: Record<string, unknown>;
  /** How many hook dispatches led to it. */
  depth: number;
  status: EventStatus;
  attempts: number;
  error: string | undefined;
  availableAt: number;
  createdAt: number;
  updatedAt: number;
  processedAt: number | undefined;
}

export interface HookExecutionRecord {
  id: number;
  hook: string;
  eventId: string;
  attempt: number;
  success: boolean;
  output: string | undefined;
  error: string | undefined;
  durationMs: number;
  startedAt: number;
}

/**
 * An event as a processor gets it from claim(): what hooks see, and its attempts. Only these columns are read back:
 * each one more costs every event of the queue's hot path.
 */
export type ClaimedEvent = Pick<
  EventRecord,
  'id' | 'type' | 'source' | 'stack' | 'runId' | 'data' | 'depth' | 'attempts' | 'createdAt'
>;

/** The processor holding leases: a token unique to it, and its host and pid so a dead holder is recognised at once. */
export interface LeaseOwner {
  token: string;
  host: string;
  pid: number;
}

/** What processing did to one claimed event, written with its hook executions in one transaction. */
export interface EventOutcome {
  id: string;
  status: 'completed' | 'failed' | 'pending';
  error?: string | undefined;
  /** For 'pending' (a retry): not claimed again before this time. */
  availableAt?: number | undefined;
  executions: Omit<HookExecutionRecord, 'id' | 'eventId'>[];
}

/** An event made elsewhere (an agent's outbox) that keeps its id and creation time. */
export interface ForwardedEvent {
  id: string;
  type: string;
  /** Its data as a JSON object. */
  data: string;
  stack?: string | undefined;
  runId?: string | undefined;
  createdAt: number;
}

export interface EventFilter {
  /** An event type or a pattern with `*`. */
  type?: string | undefined;
  status?: EventStatus | undefined;
  runId?: string | undefined;
  /** Only events of this source (e.g. agent:web-1). */
  source?: string | undefined;
  limit?: number | undefined;
}

/** A dispatch that journals this many events moves them into the table at once (the rest wait FLUSH_AFTER_MS). */
const FLUSH_EVENTS = 256;
/** How long a journaled event waits at most for others to be moved into the table with them. */
const FLUSH_AFTER_MS = 2;
/** When moving journaled events failed (the database stayed locked, the disk is full): the next try. */
const FLUSH_RETRY_MS = 100;
/** When moving journaled events found the database locked by another process's transaction: the next try. */
const FLUSH_BUSY_RETRY_MS = 1;
/**
 * Journaled events past which a dispatch's move into the table waits for the lock like any write; below it, a locked
 * database makes the move wait on a timer instead of stopping the caller's event loop (the events are stored already).
 */
const FLUSH_WAIT_PENDING = 4096;
/** Dispatch refuses events once this many wait in the journal because moving them keeps failing. */
const MAX_JOURNALED = 16_384;

/** The event repos of this process with a journal, by database: a read through one moves the others' events too. */
const journals = new Map<string, Set<EventRepo>>();
function journaling(path: string): Set<EventRepo> {
  let set = journals.get(path);
  if (!set) {
    set = new Set();
    journals.set(path, set);
  }
  return set;
}

/** Longest data a dispatched event may carry (its JSON); an event is a notification, not a file transfer. */
export const MAX_EVENT_DATA_BYTES = 256 * 1024;
/** Hook output and errors are kept up to this many characters. */
const MAX_TEXT = 8 * 1024;

const COLUMNS =
  'id, type, source, stack, run_id AS runId, data, depth, status, attempts, error, available_at AS availableAt, ' +
  'created_at AS createdAt, updated_at AS updatedAt, processed_at AS processedAt';
// Read back as arrays (the claim statements are raw: cheaper per event than objects), in this order; see toClaimed.
const CLAIMED_COLUMNS = 'id, type, source, stack, run_id, data, depth, attempts, created_at';
const CLAIMABLE = "status = 'pending' AND available_at <= @now";
const CLAIM_SET =
  "status = 'processing', attempts = attempts + 1, lease_owner = @token, lease_host = @host, lease_pid = @pid, " +
  'lease_until = @until, updated_at = @now';

const SQL = {
  // OR IGNORE: a journal's rows are stored again when its process died between their commit and emptying the file
  // (one cleaned up in between comes back once: at least once, as everywhere in the queue).
  insert:
    'INSERT OR IGNORE INTO events (id, type, source, stack, run_id, data, depth, status, attempts, available_at, created_at, updated_at) ' +
    "VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)",
  // An id already stored is the same event sent again (its ack was lost): stored once.
  insertForwarded:
    'INSERT OR IGNORE INTO events (id, type, source, stack, run_id, data, status, attempts, available_at, created_at, updated_at) ' +
    "VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)",
  // Oldest due first, in the order of events_pending (available_at, run_id): no sort of the backlog.
  claim: `UPDATE events SET ${CLAIM_SET} WHERE id IN (SELECT id FROM events WHERE ${CLAIMABLE} ORDER BY available_at LIMIT @limit) RETURNING ${CLAIMED_COLUMNS}`,
  claimRun: `UPDATE events SET ${CLAIM_SET} WHERE id IN (SELECT id FROM events WHERE run_id = @runId AND ${CLAIMABLE} ORDER BY available_at LIMIT @limit) RETURNING ${CLAIMED_COLUMNS}`,
  renew: "UPDATE events SET lease_until = ? WHERE lease_owner = ? AND status = 'processing'",
  releaseOne:
    "UPDATE events SET status = 'pending', lease_owner = NULL, lease_host = NULL, lease_pid = NULL, lease_until = NULL, updated_at = ? " +
    "WHERE id = ? AND lease_owner = ? AND status = 'processing'",
  releaseAll:
    "UPDATE events SET status = 'pending', lease_owner = NULL, lease_host = NULL, lease_pid = NULL, lease_until = NULL, updated_at = ? " +
    "WHERE lease_owner = ? AND status = 'processing'",
  recoverExpired:
    "UPDATE events SET status = 'pending', lease_owner = NULL, lease_host = NULL, lease_pid = NULL, lease_until = NULL, updated_at = ? " +
    "WHERE status = 'processing' AND lease_until < ?",
  holdersHere: "SELECT DISTINCT lease_pid AS pid FROM events WHERE status = 'processing' AND lease_host = ?",
  recoverPid:
    "UPDATE events SET status = 'pending', lease_owner = NULL, lease_host = NULL, lease_pid = NULL, lease_until = NULL, updated_at = ? " +
    "WHERE status = 'processing' AND lease_host = ? AND lease_pid = ?",
  // Anonymous parameters (status, error, available_at, now, processed_at, id, token): binding by name cost more per
  // event, and better-sqlite3 refuses numbered ones (?1) used twice.
  finish:
    'UPDATE events SET status = ?, error = ?, available_at = ?, updated_at = ?, processed_at = ?, ' +
    'lease_owner = NULL, lease_host = NULL, lease_pid = NULL, lease_until = NULL ' +
    "WHERE id = ? AND lease_owner = ? AND status = 'processing'",
  priorExecutions:
    'SELECT hook, count(*) AS runs, max(success) AS succeeded FROM hook_executions WHERE event_id = ? GROUP BY hook',
  get: `SELECT ${COLUMNS} FROM events WHERE id = ?`,
  dataVersion: 'PRAGMA data_version',
  byPrefix: `SELECT ${COLUMNS} FROM events WHERE id >= ? AND id < ? ORDER BY id LIMIT 2`,
  executionsOf:
    'SELECT id, hook, event_id AS eventId, attempt, success, output, error, duration_ms AS durationMs, started_at AS startedAt ' +
    'FROM hook_executions WHERE event_id = ? ORDER BY id',
  countLive:
    "SELECT (SELECT count(*) FROM events WHERE status = 'pending' AND run_id = @runId) + " +
    "(SELECT count(*) FROM events WHERE status = 'processing' AND run_id = @runId) AS n",
  // Each reads its partial index (events_pending, events_processing), not the table.
  countPending: "SELECT count(*) FROM events WHERE status = 'pending'",
  countProcessing: "SELECT count(*) FROM events WHERE status = 'processing'",
  // Reads events_failed (the dashboard's overview asks on each change).
  countFailed: "SELECT count(*) FROM events WHERE status = 'failed'",
  nextAvailableRun: "SELECT min(available_at) AS at FROM events WHERE run_id = ? AND status = 'pending'",
  completeRun:
    "UPDATE events SET status = 'completed', updated_at = @now, processed_at = @now WHERE run_id = @runId AND status = 'pending'",
  // A scan: cleanup is rare, and an index on created_at would cost every dispatch.
  cleanupExecutions:
    'DELETE FROM hook_executions WHERE event_id IN (SELECT id FROM events WHERE created_at < @before AND status IN (SELECT value FROM json_each(@statuses)))',
  cleanupEvents: 'DELETE FROM events WHERE created_at < @before AND status IN (SELECT value FROM json_each(@statuses))',
} as const;

/** A claimed event as the raw claim statements return it: the columns of CLAIMED_COLUMNS in order. */
type ClaimedRow = [
  id: string,
  type: string,
  source: string,
  stack: string | null,
  runId: string | null,
  data: string,
  depth: number,
  attempts: number,
  createdAt: number,
];

const EXECUTION_COLUMNS = 8;
/**
 * Hook executions are inserted this many rows per statement, then by the smaller sizes for what is left: one
 * statement per row cost more per event processed (better-sqlite3's call, bind and reset each time).
 */
const EXECUTION_CHUNKS = [64, 8, 1] as const;
const insertExecutions = (rows: number) =>
  `INSERT INTO hook_executions (hook, event_id, attempt, success, output, error, duration_ms, started_at) VALUES ${Array(rows)
    .fill('(?, ?, ?, ?, ?, ?, ?, ?)')
    .join(', ')}`;
type Row = Omit<EventRecord, 'data' | 'stack' | 'runId' | 'error' | 'processedAt' | 'status'> & {
  data: string;
  stack: string | null;
  runId: string | null;
  error: string | null;
  status: string;
  processedAt: number | null;
};

/** The persistent event queue on a Store: dispatch, claim with a lease, record outcomes, list, clean up. */
export class EventRepo {
  private readonly sql: Statements<typeof SQL>;
  private readonly tx: Database.Transaction<(fn: () => unknown) => unknown>;
  private readonly insertExecutionChunks: Map<number, Database.Statement>;
  private readonly listStatements = new Map<string, Database.Statement>();
  /** Dispatched events on their way to the table, opened by the first dispatch; none when the directory cannot hold it. */
  private journal: EventJournal | 'none' | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  /** Why the last move of journaled events into the table failed, while it keeps failing. */
  private flushError: unknown;

  constructor(readonly store: Store) {
    this.sql = prepareAll(store, SQL);
    this.sql.dataVersion.pluck();
    this.sql.countPending.pluck();
    this.sql.countProcessing.pluck();
    this.sql.countFailed.pluck();
    this.sql.claim.raw(true);
    this.sql.claimRun.raw(true);
    this.insertExecutionChunks = new Map(EXECUTION_CHUNKS.map((n) => [n, store.sqlite.prepare(insertExecutions(n))]));
    this.tx = store.sqlite.transaction((fn: () => unknown) => fn());
    try {
      this.recoverJournals();
    } catch {
      // Tried again by recoverAbandoned (a processor's start, and every lease renewal of `events serve`).
    }
  }

  /**
   * Validates and persists one event (status pending) and returns its id. When it returns the event is stored: in the
   * events table, or in this process's journal, from which it moves to the table with others in one transaction
   * (within FLUSH_AFTER_MS, at the FLUSH_EVENTS-th event, before this process reads the queue, and when the store
   * closes or the process exits; if the process is killed first, the next process to open the queue moves it).
   */
  dispatch(type: string, data: Record<string, unknown>, meta: EventMetaInput, now = Date.now()): string {
    checkEventType(type, 'event');
    const depth = meta.depth ?? 0;
    if (depth > MAX_EVENT_DEPTH) {
      throw new SlothError(
        'invalid_argument',
        `event '${type}' from ${meta.source} would be the ${depth}th event of a chain of events dispatched by hooks; at most ${MAX_EVENT_DEPTH} are allowed`,
        {
          hint: 'a hook that dispatches an event it matches itself (or hooks that dispatch events for each other) loops for ever: give the new event a type that hook does not match',
        },
      );
    }
    const text = encodeEventData(data, type);
    const id = newEventId(now);
    const row: JournalRow = [id, type, meta.source, meta.stack ?? null, meta.runId ?? null, text, depth, now];
    // Inside a transaction the event is part of it (rolled back with it); a store whose directory cannot hold a
    // journal gets each event committed on its own, and a closed one fails as every other write does.
    const sqlite = this.store.sqlite;
    const journal = sqlite.open && !sqlite.inTransaction ? this.openJournal() : undefined;
    if (!journal) {
      this.single(() => (sqlite.inTransaction ? this.insertRows([row]) : this.write(() => this.insertRows([row]))));
      return id;
    }
    if (journal.pending.length >= MAX_JOURNALED) {
      throw new SlothError(
        'store',
        `event '${type}' was not dispatched: ${journal.pending.length} events wait to be written to ${this.store.path}, which keeps failing (${errorText(this.flushError)})`,
        { hint: 'see why the database cannot be written (disk full, permissions, another process holding it), then run again' },
      );
    }
    try {
      journal.append(row);
    } catch (err) {
      throw new SlothError('store', `event '${type}' was not dispatched: cannot write ${journal.path} (${errorText(err)})`, {
        hint: 'check the free space and permissions of the data directory',
        cause: err,
      });
    }
    if (journal.pending.length % FLUSH_EVENTS === 0) this.flushQuietly();
    else this.flushTimer ??= setTimeout(() => this.flushQuietly(), FLUSH_AFTER_MS).unref();
    return id;
  }

  /** The journal dispatches append to, opened on first use; undefined when it cannot be (or was closed). */
  private openJournal(): EventJournal | undefined {
    if (this.journal === undefined) {
      const opened = EventJournal.open(this.store.dataDir);
      this.journal = opened ?? 'none';
      if (opened) {
        journaling(this.store.path).add(this);
        this.store.onClose(() => this.closeJournal());
      }
    }
    return this.journal !== 'none' && this.journal.open ? this.journal : undefined;
  }

  /**
   * Moves this process's journaled events of this database into the events table (every store of the process on it),
   * so that what this process dispatched is seen by its next read. Nothing to do inside a transaction: the events
   * would be rolled back with it while their journal is emptied.
   */
  flush(): void {
    // Another store's connection would wait for the write lock this transaction may hold.
    if (this.store.sqlite.inTransaction) return;
    for (const repo of journaling(this.store.path)) {
      if (repo === this) this.flushOwn(true);
      else repo.flushQuietly(true);
    }
  }

  /**
   * Commits this repo's journaled events and empties its journal; throws (keeping them) when that fails. Without
   * `wait`, a database locked by another process's transaction leaves them journaled and returns false.
   */
  private flushOwn(wait: boolean): boolean {
    const journal = this.journal;
    if (!(journal instanceof EventJournal) || journal.isClosed || journal.pending.length === 0) return true;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (!this.store.sqlite.open) return true;
    if (this.store.sqlite.inTransaction) {
      // Moved later, outside it: rows moved inside would be rolled back with it while their journal is emptied.
      this.flushTimer = setTimeout(() => this.flushQuietly(), FLUSH_AFTER_MS).unref();
      return true;
    }
    const insert = () => this.insertRows(journal.pending);
    if (wait) this.write(insert);
    else if (!this.single(() => writeIfFree(this.store.sqlite, () => this.tx.immediate(insert)))) return false;
    journal.clear();
    this.flushError = undefined;
    return true;
  }

  /**
   * flushOwn for a timer, a dispatch or another repo's read: a failure keeps the events journaled and tries again
   * later. Unless told to `wait`, it waits for a locked database only once the journal is long.
   */
  private flushQuietly(wait = false): void {
    try {
      const long = this.journal instanceof EventJournal && this.journal.pending.length >= FLUSH_WAIT_PENDING;
      if (!this.flushOwn(wait || long)) this.flushTimer ??= setTimeout(() => this.flushQuietly(), FLUSH_BUSY_RETRY_MS).unref();
    } catch (err) {
      this.flushError = err;
      this.flushTimer ??= setTimeout(() => this.flushQuietly(), FLUSH_RETRY_MS).unref();
    }
  }

  private insertRows(rows: readonly JournalRow[]): void {
    for (const [id, type, source, stack, runId, data, depth, at] of rows) {
      this.sql.insert.run(id, type, source, stack, runId, data, depth, at, at, at);
    }
  }

  /**
   * Stores the journals of processes that died before moving their events into the table. Not inside a transaction:
   * the files are deleted once their rows are in, which a rollback would undo.
   */
  private recoverJournals(): number {
    if (this.store.sqlite.inTransaction) return 0;
    return recoverJournals(this.store.dataDir, (rows) => this.write(() => this.insertRows(rows)));
  }

  /**
   * At store close or process exit: moves what is journaled into the table, and removes the (then empty) journal;
   * later dispatches commit one by one.
   */
  closeJournal(): void {
    journaling(this.store.path).delete(this);
    try {
      this.flushOwn(true);
    } catch {
      // Kept in the journal, which the next process to open the queue after this one ends recovers.
    }
    if (this.flushTimer) clearTimeout(this.flushTimer);
    if (this.journal instanceof EventJournal) this.journal.close();
  }

  /**
   * Stores events forwarded with their own ids (an agent's outbox) in one transaction, each id once: one sent again
   * after a lost acknowledgement is not stored twice. Returns how many were new.
   */
  receive(events: readonly ForwardedEvent[], source: string, now = Date.now()): number {
    const rows = events.map((e) => {
      checkEventType(e.type, 'event');
      let data: unknown;
      try {
        data = JSON.parse(e.data);
      } catch {
        throw new SlothError('invalid_argument', `event '${e.type}' (${e.id}): its data is not JSON`);
      }
      return { ...e, data: encodeEventData(data as Record<string, unknown>, e.type) };
    });
    return this.write(() =>
      rows.reduce(
        (n, e) =>
          n +
          this.sql.insertForwarded.run(e.id, e.type, source, e.stack ?? null, e.runId ?? null, e.data, now, e.createdAt, now)
            .changes,
        0,
      ),
    );
  }

  /** Claims up to `limit` pending events that are due (the longest due first), leasing them to `owner` for `leaseMs`. */
  claim(owner: LeaseOwner, limit: number, leaseMs: number, runId?: string, now = Date.now()): ClaimedEvent[] {
    const params = { ...owner, until: now + leaseMs, now, limit, runId };
    const stmt = runId === undefined ? this.sql.claim : this.sql.claimRun;
    if (runId === undefined) delete params.runId;
    this.flush();
    const rows = this.write(() => stmt.all(params) as ClaimedRow[]);
    return rows.map(toClaimed).sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  /** Inserts hook executions given as one flat list of their column values, several rows per statement. */
  private insertExecutions(values: unknown[]): void {
    const rows = values.length / EXECUTION_COLUMNS;
    let at = 0;
    for (const size of EXECUTION_CHUNKS) {
      const stmt = this.insertExecutionChunks.get(size) as Database.Statement;
      for (; rows - at >= size; at += size) {
        stmt.run(values.slice(at * EXECUTION_COLUMNS, (at + size) * EXECUTION_COLUMNS));
      }
    }
  }

  /**
   * A number that changes when another connection (another process) commits to the database, for a processor to
   * notice a dispatch elsewhere without querying its tables; -1 when it cannot be read (the processor's poll remains).
   */
  dataVersion(): number {
    try {
      return this.sql.dataVersion.get() as number;
    } catch {
      return -1;
    }
  }

  /** Extends the leases of every event `owner` is processing. */
  renewLeases(owner: LeaseOwner, leaseMs: number, now = Date.now()): number {
    return this.single(() => this.sql.renew.run(now + leaseMs, owner.token).changes);
  }

  /** Hands events back to the queue (pending, claimable at once): the given ones, or all that `owner` holds. */
  release(owner: LeaseOwner, ids?: string[], now = Date.now()): number {
    if (ids === undefined) return this.single(() => this.sql.releaseAll.run(now, owner.token).changes);
    return this.write(() => ids.reduce((n, id) => n + this.sql.releaseOne.run(now, id, owner.token).changes, 0));
  }

  /**
   * Puts back to pending the events whose processor is gone: its lease ran out, or it was a process of this host that
   * no longer exists (a crash or SIGKILL), so they are processed again at once; and stores the events that processes
   * which died had journaled but not moved into the table (see EventJournal). Returns how many, of both.
   */
  recoverAbandoned(now = Date.now()): number {
    const here = hostname();
    const leased = this.write(() => {
      let n = this.sql.recoverExpired.run(now, now).changes;
      for (const { pid } of this.sql.holdersHere.all(here) as { pid: number }[]) {
        if (pid !== process.pid && pidIsDead(pid)) n += this.sql.recoverPid.run(now, here, pid).changes;
      }
      return n;
    });
    // After the leases, so that a journal that cannot be stored now does not keep them from being taken back.
    return leased + this.recoverJournals();
  }

  /** How often each hook already ran for an event, and whether one of those runs succeeded. */
  priorExecutions(eventId: string): Map<string, { runs: number; succeeded: boolean }> {
    const rows = this.read(() => this.sql.priorExecutions.all(eventId) as { hook: string; runs: number; succeeded: number }[]);
    return new Map(rows.map((r) => [r.hook, { runs: r.runs, succeeded: r.succeeded === 1 }]));
  }

  /**
   * Records what processing did, in one transaction: the hook executions, and each event's new status (only for events
   * `owner` still holds: one whose lease was lost is left to its new holder). Returns how many events were updated.
   */
  finish(owner: LeaseOwner, outcomes: EventOutcome[], now = Date.now()): number {
    if (outcomes.length === 0) return 0;
    const executions: unknown[] = [];
    for (const o of outcomes) {
      for (const e of o.executions) {
        executions.push(
          e.hook,
          o.id,
          e.attempt,
          e.success ? 1 : 0,
          clip(e.output),
          clip(e.error),
          Math.round(e.durationMs),
          e.startedAt,
        );
      }
    }
    return this.write(() => {
      this.insertExecutions(executions);
      let n = 0;
      for (const o of outcomes) {
        const processedAt = o.status === 'pending' ? null : now;
        n += this.sql.finish.run(o.status, clip(o.error), o.availableAt ?? now, now, processedAt, o.id, owner.token).changes;
      }
      return n;
    });
  }

  /** Marks every pending event of a run completed at once (nothing to run: no enabled hook). */
  completeRun(runId: string, now = Date.now()): number {
    this.flush();
    return this.single(() => this.sql.completeRun.run({ runId, now }).changes);
  }

  /** How many events of a run are still pending or processing. */
  liveCount(runId: string): number {
    this.flush();
    return this.read(() => (this.sql.countLive.get({ runId }) as { n: number }).n);
  }

  /** How many events wait in the queue (pending, due or not) and how many are being processed. */
  depth(): { pending: number; processing: number } {
    return this.read(() => ({
      pending: this.sql.countPending.get() as number,
      processing: this.sql.countProcessing.get() as number,
    }));
  }

  /** How many events failed for good (their hooks' attempts exhausted) and are still kept. */
  failedCount(): number {
    return this.read(() => this.sql.countFailed.get() as number);
  }

  /** When the earliest pending event of a run becomes claimable, or undefined when it has none. */
  nextAvailable(runId: string): number | undefined {
    this.flush();
    const r = this.read(() => this.sql.nextAvailableRun.get(runId) as { at: number | null });
    return r.at ?? undefined;
  }

  /** An event by id, or by a unique prefix of it (as `events show` accepts); undefined when none matches. */
  find(idOrPrefix: string): EventRecord | undefined {
    this.flush();
    const exact = this.read(() => this.sql.get.get(idOrPrefix) as Row | undefined);
    if (exact) return toRecord(exact);
    const prefix = idOrPrefix.toUpperCase();
    if (prefix.length < 4) return undefined;
    const rows = this.read(() => this.sql.byPrefix.all(prefix, `${prefix}\uffff`) as Row[]);
    if (rows.length > 1) {
      throw new SlothError('usage', `event id prefix '${idOrPrefix}' matches several events`, {
        hint: 'give more characters of the id (see `sloth-runner events list`)',
      });
    }
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  /** Events, newest first, filtered by type (exact or pattern), status, run and source. */
  list(filter: EventFilter = {}): EventRecord[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.status) {
      where.push('status = ?');
      params.push(filter.status);
    }
    if (filter.runId) {
      where.push('run_id = ?');
      params.push(filter.runId);
    }
    if (filter.source) {
      where.push('source = ?');
      params.push(filter.source);
    }
    const pattern = filter.type;
    if (pattern && !pattern.includes('*')) {
      where.push('type = ?');
      params.push(pattern);
    }
    const limit = filter.limit ?? 50;
    this.flush();
    const sql = `SELECT ${COLUMNS} FROM events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC`;
    const out: EventRecord[] = [];
    // A wildcard pattern is matched here, as hooks match it; rows stream so a small limit reads few of them.
    for (const row of this.listStatement(sql).iterate(...params) as IterableIterator<Row>) {
      if (pattern?.includes('*') && !eventTypeMatches(pattern, row.type)) continue;
      out.push(toRecord(row));
      if (out.length >= limit) break;
    }
    return out;
  }

  /** The statement of one shape of list() (sixteen at most: with or without each filter), prepared on its first use. */
  private listStatement(sql: string): Database.Statement {
    let stmt = this.listStatements.get(sql);
    if (!stmt) {
      stmt = this.store.sqlite.prepare(sql);
      this.listStatements.set(sql, stmt);
    }
    return stmt;
  }

  /** The hook executions of one event, in the order they ran. */
  executionsOf(eventId: string): HookExecutionRecord[] {
    return this.read(() => (this.sql.executionsOf.all(eventId) as ExecutionRow[]).map(toExecution));
  }

  /**
   * Deletes events created before `before` (and their hook executions): completed and failed ones, and pending ones
   * too when `includePending`. Events being processed are never deleted.
   */
  cleanup(before: number, includePending = false): { events: number; executions: number } {
    const statuses = JSON.stringify(includePending ? ['completed', 'failed', 'pending'] : ['completed', 'failed']);
    this.flush();
    return this.write(() => ({
      executions: this.sql.cleanupExecutions.run({ before, statuses }).changes,
      events: this.sql.cleanupEvents.run({ before, statuses }).changes,
    }));
  }

  /** A write transaction; the queue's are few and large (claims, outcomes), so they take the lock eagerly. */
  private write<T>(fn: () => T): T {
    return this.single(() => writeEagerly(this.store.sqlite, () => this.tx.immediate(fn) as T));
  }

  private read<T>(fn: () => T): T {
    return this.single(fn);
  }

  private single<T>(fn: () => T): T {
    return withStoreErrors(this.store, fn);
  }
}

/** A hook_executions row as SQLite returns it. */
export type ExecutionRow = Omit<HookExecutionRecord, 'success' | 'output' | 'error'> & {
  success: number;
  output: string | null;
  error: string | null;
};

/** A hook_executions row as a record. */
export function toExecution(r: ExecutionRow): HookExecutionRecord {
  return { ...r, success: r.success === 1, output: r.output ?? undefined, error: r.error ?? undefined };
}

function toClaimed([id, type, source, stack, runId, data, depth, attempts, createdAt]: ClaimedRow): ClaimedEvent {
  return {
    id,
    type,
    source,
    stack: stack ?? undefined,
    runId: runId ?? undefined,
    data: JSON.parse(data) as Record<string, unknown>,
    depth,
    attempts,
    createdAt,
  };
}

function toRecord(r: Row): EventRecord {
  return {
    ...r,
    stack: r.stack ?? undefined,
    runId: r.runId ?? undefined,
    error: r.error ?? undefined,
    processedAt: r.processedAt ?? undefined,
    status: r.status as EventStatus,
    data: JSON.parse(r.data) as Record<string, unknown>,
  };
}

/** An event's data as the JSON object text it is stored as; refuses what is not an object, or is too big. */
export function encodeEventData(data: Record<string, unknown>, type: string): string {
  let text: string | undefined;
  try {
    // Every event stored is encoded here: secrets read by this process never reach the queue (or hooks, or agents).
    text = JSON.stringify(maskDeep(data ?? {}));
  } catch (err) {
    throw new SlothError('invalid_argument', `event '${type}': its data cannot be stored as JSON (${(err as Error).message})`, {
      hint: 'event data holds strings, numbers, booleans and tables of those',
    });
  }
  if (text === undefined || !text.startsWith('{')) {
    throw new SlothError('invalid_argument', `event '${type}': its data must be a table of key = value pairs`);
  }
  if (text.length > MAX_EVENT_DATA_BYTES) {
    throw new SlothError(
      'invalid_argument',
      `event '${type}': its data is ${text.length} bytes of JSON, more than the ${MAX_EVENT_DATA_BYTES} allowed`,
      {
        hint: 'send a reference (a path, a key in state) instead of the content',
      },
    );
  }
  return text;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Hook output and errors as stored: cut to MAX_TEXT, secrets this process read masked. */
function clip(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  const text = maskSecrets(raw);
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}… (${text.length - MAX_TEXT} more characters)` : text;
}

/** The EventRepo of a Store (prepared once per Store). */
export const eventRepo = perStore((store) => new EventRepo(store));
