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

const SQL = {
  add: 'INSERT INTO audit_log (at, actor, action, target, result, detail) VALUES (@at, @actor, @action, @target, @result, @detail)',
  latest: 'SELECT id, at, actor, action, target, result, detail FROM audit_log ORDER BY at DESC, id DESC LIMIT ?',
} as const;

/** The audit log: every write action done through the dashboard, kept for good (it is small: people's clicks). */
export class AuditRepo {
  private readonly sql: Statements<typeof SQL>;

  constructor(readonly store: Store) {
    this.sql = prepareAll(store, SQL);
  }

  /** Records an action; returns its id. */
  add(entry: AuditInput): number {
    return withStoreErrors(this.store, () => Number(this.sql.add.run(entry).lastInsertRowid));
  }

  /** The latest `limit` entries, newest first. */
  latest(limit: number): AuditRecord[] {
    return withStoreErrors(this.store, () => this.sql.latest.all(limit) as AuditRecord[]);
  }
}

/** The AuditRepo of a Store (prepared once per Store). */
export const auditRepo = perStore((store) => new AuditRepo(store));
