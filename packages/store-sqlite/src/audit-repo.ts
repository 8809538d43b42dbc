import { type Store, withStoreErrors } from './open-store.js';
import { perStore, prepareAll, type Statements } from './per-store.js';

/** A write action done through the dashboard, as the audit log keeps it. */
export interface AuditRecord {
  id: number;
  at: number;
  /** Who: the dashboard session's label and the address it logged in from. */
  actor: string;
  /** What: e.g. hook.disable. */
  action: string;
  /** On what: e.g. a hook's name. */
  target: string;
  result: 'ok' | 'failed';
  /** Why it failed, or what it did. */
  detail: string | null;
}

export type AuditInput = Omit<AuditRecord, 'id'>;

/** How long the audit log keeps an entry: each new one forgets those a year older than itself. */
export const AUDIT_RETENTION_MS = 365 * 86_400_000;

const SQL = {
  add: 'INSERT INTO audit_log (at, actor, action, target, result, detail) VALUES (@at, @actor, @action, @target, @result, @detail)',
  forget: 'DELETE FROM audit_log WHERE at < ?',
  latest: 'SELECT id, at, actor, action, target, result, detail FROM audit_log ORDER BY at DESC, id DESC LIMIT ?',
} as const;

/** The audit log: every write action done through the dashboard, kept for a year (AUDIT_RETENTION_MS). */
export class AuditRepo {
  private readonly sql: Statements<typeof SQL>;
  private readonly record: (entry: AuditInput) => number;

  constructor(readonly store: Store) {
    this.sql = prepareAll(store, SQL);
    // One transaction: the entry is never kept without the pruning, nor the pruning done without the entry.
    const record = store.sqlite.transaction((entry: AuditInput) => {
      this.sql.forget.run(entry.at - AUDIT_RETENTION_MS);
      return Number(this.sql.add.run(entry).lastInsertRowid);
    });
    this.record = (entry) => record.immediate(entry);
  }

  /** Records an action, forgetting entries past the retention; returns its id. */
  add(entry: AuditInput): number {
    return withStoreErrors(this.store, () => this.record(entry));
  }

  /** The latest `limit` entries, newest first. */
  latest(limit: number): AuditRecord[] {
    return withStoreErrors(this.store, () => this.sql.latest.all(limit) as AuditRecord[]);
  }
}

/** The AuditRepo of a Store (prepared once per Store). */
export const auditRepo = perStore((store) => new AuditRepo(store));
