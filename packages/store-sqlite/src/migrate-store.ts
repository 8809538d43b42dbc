import type Database from 'better-sqlite3';
import { readMigrationFiles } from 'drizzle-orm/migrator';

/** Drizzle's bookkeeping table: kept, with its layout, so databases migrated by drizzle's own migrator stay valid. */
const TABLE = '__drizzle_migrations';

/**
 * Brings the database to the current schema, safely when several processes open a new data directory at once.
 *
 * Drizzle's migrator reads which migrations are applied outside its (deferred) transaction, so two processes starting
 * together on a new directory both saw none and the second failed with "table already exists". Here the check is
 * repeated inside a transaction that holds the write lock (BEGIN IMMEDIATE), so exactly one process applies each
 * migration and the others wait for it (up to the busy timeout) and then find nothing to do.
 */
export function migrateStore(sqlite: Database.Database, migrationsFolder: string): void {
  const migrations = readMigrationFiles({ migrationsFolder });
  const latest = migrations.at(-1)?.folderMillis ?? 0;
  // The common case, an up-to-date database, takes no write lock: every CLI command opens the store.
  if (lastApplied(sqlite) >= latest) return;
  sqlite
    .transaction(() => {
      sqlite.exec(`CREATE TABLE IF NOT EXISTS ${TABLE} (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)`);
      const applied = lastApplied(sqlite);
      const record = sqlite.prepare(`INSERT INTO ${TABLE} (hash, created_at) VALUES (?, ?)`);
      for (const m of migrations) {
        if (m.folderMillis <= applied) continue;
        for (const stmt of m.sql) sqlite.exec(stmt);
        record.run(m.hash, m.folderMillis);
      }
    })
    .immediate();
}

/** When the newest applied migration was written (drizzle's ordering key), 0 for a new database. */
function lastApplied(sqlite: Database.Database): number {
  const table = sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(TABLE);
  if (table === undefined) return 0;
  const row = sqlite.prepare(`SELECT created_at FROM ${TABLE} ORDER BY created_at DESC LIMIT 1`).get() as
    | { created_at: number | string }
    | undefined;
  return row === undefined ? 0 : Number(row.created_at);
}
