import { checkEventType } from '@sloth/core/internal';
import { newEventId } from './event-id.js';
import { encodeEventData, type ForwardedEvent } from './event-repo.js';
import { type Store, withStoreErrors } from './open-store.js';
import { perStore, prepareAll, type Statements } from './per-store.js';

const SQL = {
  insert: 'INSERT INTO event_outbox (id, type, data, stack, run_id, created_at) VALUES (?, ?, ?, ?, ?, ?)',
  pending: 'SELECT id, type, data, stack, run_id AS runId, created_at AS createdAt FROM event_outbox ORDER BY id LIMIT ?',
  remove: 'DELETE FROM event_outbox WHERE id = ?',
  count: 'SELECT count(*) AS n FROM event_outbox',
} as const;

type Row = Omit<ForwardedEvent, 'stack' | 'runId'> & { stack: string | null; runId: string | null };

/**
 * An agent's outbox: events dispatched on the agent wait here (committed before dispatch returns) until its master
 * acknowledges them, so neither a dead link nor a dead agent process loses one.
 */
export class EventOutboxRepo {
  private readonly sql: Statements<typeof SQL>;

  constructor(readonly store: Store) {
    this.sql = prepareAll(store, SQL);
  }

  /** Validates and keeps one event; returns it as it will be sent. */
  add(
    type: string,
    data: Record<string, unknown>,
    meta: { stack?: string | undefined; runId?: string | undefined },
    now = Date.now(),
  ): ForwardedEvent {
    checkEventType(type, 'event');
    const event: ForwardedEvent = {
      id: newEventId(now),
      type,
      data: encodeEventData(data, type),
      stack: meta.stack,
      runId: meta.runId,
      createdAt: now,
    };
    this.run(() =>
      this.sql.insert.run(event.id, event.type, event.data, event.stack ?? null, event.runId ?? null, event.createdAt),
    );
    return event;
  }

  /** The events still waiting for an acknowledgement, oldest first (at most `limit`; -1: all). */
  pending(limit = -1): ForwardedEvent[] {
    const rows = this.run(() => this.sql.pending.all(limit) as Row[]);
    return rows.map((r) => ({ ...r, stack: r.stack ?? undefined, runId: r.runId ?? undefined }));
  }

  /** Forgets acknowledged events; returns how many were still there. */
  remove(ids: readonly string[]): number {
    return this.run(() => this.store.sqlite.transaction(() => ids.reduce((n, id) => n + this.sql.remove.run(id).changes, 0))());
  }

  /** How many events wait. */
  count(): number {
    return this.run(() => (this.sql.count.get() as { n: number }).n);
  }

  private run<T>(fn: () => T): T {
    return withStoreErrors(this.store, fn);
  }
}

/** The EventOutboxRepo of a Store (prepared once per Store). */
export const eventOutboxRepo = perStore((store) => new EventOutboxRepo(store));
