import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, storeFile } from './open-store.js';

const DIST = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const MIGRATIONS = fileURLToPath(new URL('../drizzle', import.meta.url));
const MIGRATION_COUNT = readMigrationFiles({ migrationsFolder: MIGRATIONS }).length;
const dirs: string[] = [];

function newDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'sloth-open-'));
  dirs.push(d);
  return d;
}

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A Node process that opens (and closes) the store of each directory written to its stdin, answering one line each. */
function opener(): { child: ChildProcess; open(dir: string): Promise<string> } {
  const script = [
    `import { openStore } from ${JSON.stringify(DIST)};`,
    "import { createInterface } from 'node:readline';",
    'for await (const dir of createInterface({ input: process.stdin })) {',
    "  try { openStore(dir).close(); console.log('ok'); }",
    "  catch (e) { console.log('error: ' + String(e.message).split('\\n')[0] + ' / ' + (e.cause?.message ?? '')); }",
    '}',
  ].join('\n');
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting: Array<(line: string) => void> = [];
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => waiting.shift()?.(line));
  return {
    child,
    open: (dir) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no answer for ${dir} within 20s`)), 20_000);
        waiting.push((line) => {
          clearTimeout(timer);
          resolve(line);
        });
        child.stdin?.write(`${dir}\n`);
      }),
  };
}

describe('openStore', () => {
  it('processes opening a new data directory together all get the full schema, migrated once', async () => {
    // Before migrations were applied under the write lock, about one round in three failed with "table `executions`
    // already exists" or "database is locked" (the switch to WAL does not wait for SQLite's busy handler).
    const openers = Array.from({ length: 4 }, opener);
    try {
      for (let round = 0; round < 15; round++) {
        const dir = newDir();
        const answers = await Promise.all(openers.map((o) => o.open(dir)));
        expect(answers, `round ${round}`).toEqual(['ok', 'ok', 'ok', 'ok']);
        const db = new Database(storeFile(dir), { readonly: true });
        try {
          expect(db.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get()).toEqual({ n: MIGRATION_COUNT });
          expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
        } finally {
          db.close();
        }
      }
    } finally {
      for (const o of openers) o.child.kill('SIGKILL');
    }
  });

  it('lets the write-ahead log grow past SQLite’s 1,000 pages before a commit checkpoints it (fewer fsyncs)', () => {
    const store = openStore(newDir());
    try {
      const put = store.sqlite.prepare('INSERT INTO state (key, value, updated_at) VALUES (?, ?, 0)');
      const value = 'x'.repeat(16 * 1024);
      for (let i = 0; i < 500; i++) put.run(`k${i}`, value);
      // Each commit wrote ~5 pages; with the default, the log would have been checkpointed and restarted twice.
      const frames = (statSync(`${store.path}-wal`).size - 32) / (4096 + 24);
      expect(frames).toBeGreaterThan(2000);
    } finally {
      store.close();
    }
  });

  it('opens a database migrated by drizzle’s own migrator (earlier versions) without applying anything again', () => {
    const dir = newDir();
    const old = new Database(storeFile(dir));
    migrate(drizzle(old), { migrationsFolder: MIGRATIONS });
    old.prepare("INSERT INTO state (key, value, updated_at) VALUES ('kept', '\"v\"', 0)").run();
    old.close();
    const store = openStore(dir);
    try {
      expect(store.sqlite.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get()).toEqual({
        n: MIGRATION_COUNT,
      });
      expect(store.sqlite.prepare("SELECT value FROM state WHERE key = 'kept'").get()).toEqual({ value: '"v"' });
    } finally {
      store.close();
    }
  });
});
