import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeDirectorySync, SlothError } from '@sloth/core/internal';
import Database from 'better-sqlite3';
import { BUSY_TIMEOUT_MS, retryWhileBusy } from './busy-retry.js';
import { migrateStore } from './migrate-store.js';

/** One SQLite database per data directory, shared safely by every process that opens it. */
export interface Store {
  readonly dataDir: string;
  readonly path: string;
  readonly sqlite: Database.Database;
  /** Runs `fn` in a write transaction taken up front (BEGIN IMMEDIATE), so read-modify-write cannot deadlock. */
  write<T>(fn: () => T): T;
  /**
   * Runs `fn` when the store closes, before its connection does (what a repository must write before it goes), or when
   * the process exits with the store open.
   */
  onClose(fn: () => void): void;
  /** Runs the onClose functions, then closes the connection. */
  close(): void;
}

const DB_FILE = 'sloth.db';
/**
 * Pages of write-ahead log after which a commit also copies them into the database (a checkpoint: with synchronous =
 * NORMAL, two fsyncs). SQLite's default, 1,000 pages, made every ~380th event dispatch a checkpoint; 10,000 pages
 * (40 MB) make them ten times rarer, which was most of the stalls of a workflow dispatching while a processor works.
 */
const WAL_CHECKPOINT_PAGES = 10_000;
const MIGRATIONS = fileURLToPath(new URL('../drizzle', import.meta.url));

/** `$SLOTH_HOME`, else ~/.sloth-runner. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.SLOTH_HOME && env.SLOTH_HOME.length > 0 ? env.SLOTH_HOME : join(homedir(), '.sloth-runner');
}

/** The database file of a data directory. */
export function storeFile(dataDir: string): string {
  return join(dataDir, DB_FILE);
}

/** Opens (creating if needed) the data directory's database, in WAL mode, migrated to the current schema. */
export function openStore(dataDir: string = defaultDataDir()): Store {
  const path = storeFile(dataDir);
  let sqlite: Database.Database;
  try {
    makeDirectorySync(dataDir, 0o700);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new SlothError('store', `cannot create the data directory ${dataDir}: ${e.code ?? 'error'} at ${e.path ?? dataDir}`, {
      hint: 'choose a directory you can write with --data-dir or SLOTH_HOME',
      cause: err,
    });
  }
  try {
    sqlite = new Database(path, { timeout: BUSY_TIMEOUT_MS });
  } catch (err) {
    throw storeError(err, path);
  }
  try {
    enableWal(sqlite);
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma(`wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`);
    migrateStore(sqlite, MIGRATIONS);
    const closing: (() => void)[] = [];
    const runClosing = () => {
      for (const fn of closing.splice(0)) fn();
    };
    return {
      dataDir,
      path,
      sqlite,
      onClose: (fn) => {
        closing.push(fn);
        atExit(runClosing);
      },
      write: <T>(fn: () => T): T => {
        try {
          return sqlite.transaction(fn).immediate();
        } catch (err) {
          throw storeError(err, path);
        }
      },
      close: () => {
        if (!sqlite.open) return;
        try {
          runClosing();
        } finally {
          notAtExit(runClosing);
          sqlite.close();
        }
      },
    };
  } catch (err) {
    sqlite.close();
    throw storeError(err, path);
  }
}

/** What stores still open must do if the process exits without closing them (process.exit): their onClose functions. */
const exitWork = new Set<() => void>();
function runExitWork(): void {
  for (const fn of [...exitWork]) fn();
}

/**
 * Runs `fn` if the process exits before notAtExit(fn). The process listener exists only while a store needs it, so
 * importing the store registers nothing; a killed process leaves the work to the next one (see EventRepo).
 */
function atExit(fn: () => void): void {
  if (exitWork.size === 0) process.on('exit', runExitWork);
  exitWork.add(fn);
}

function notAtExit(fn: () => void): void {
  if (exitWork.delete(fn) && exitWork.size === 0) process.off('exit', runExitWork);
}

/**
 * Switches a database to WAL (a no-op once it is: the mode is stored in the file).
 * SQLite answers SQLITE_BUSY at once, without its busy handler, while another process holds the new file, which
 * happens when several processes open a new data directory together; so this waits and retries up to the busy timeout.
 */
function enableWal(sqlite: Database.Database): void {
  retryWhileBusy(
    () => sqlite.pragma('journal_mode = WAL'),
    BUSY_TIMEOUT_MS,
    () => 10,
  );
}

/** Runs a store operation; its SQLite or file-system failure becomes the error storeError makes of it. */
export function withStoreErrors<T>(store: Pick<Store, 'path'>, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw storeError(err, store.path);
  }
}

/** Turns SQLite and file-system failures into errors that say what is wrong with which file and what to do. */
export function storeError(err: unknown, path: string): unknown {
  if (err instanceof SlothError) return err;
  const code = (err as { code?: string }).code ?? '';
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
    return new SlothError('store', `the state database ${path} is not a SQLite database or is corrupt`, {
      hint: 'move the file aside (keep it: it holds your state) and run again to start a new one, or restore a backup',
      cause: err,
    });
  }
  if (
    code.startsWith('SQLITE_READONLY') ||
    code === 'EACCES' ||
    code === 'EROFS' ||
    code === 'SQLITE_CANTOPEN' ||
    code === 'EPERM'
  ) {
    return new SlothError('store', `cannot write the state database ${path} (${code})`, {
      hint: 'check the permissions of the file and its directory, or choose another with --data-dir / SLOTH_HOME',
      cause: err,
    });
  }
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return new SlothError('store', `the state database ${path} stayed locked by another process for ${BUSY_TIMEOUT_MS / 1000}s`, {
      hint: 'another sloth-runner is writing heavily; try again',
      cause: err,
    });
  }
  return err;
}
