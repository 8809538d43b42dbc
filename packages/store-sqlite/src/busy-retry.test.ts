import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUSY_TIMEOUT_MS, writeEagerly } from './busy-retry.js';
import { eventRepo } from './event-repo.js';
import { openStore, type Store, storeFile } from './open-store.js';

const SQLITE = createRequire(import.meta.url).resolve('better-sqlite3');
const owner = { token: 'test-owner', host: 'here', pid: process.pid };

let dir: string;
let store: Store;
let holder: ChildProcess | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sloth-busy-'));
  store = openStore(dir);
});

afterEach(() => {
  holder?.kill('SIGKILL');
  holder = undefined;
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Another process that takes the write lock, dispatches an event inside its transaction, says "locked", and commits
 * 300 ms after it is told to on its stdin (or never, if not told).
 */
async function holdWriteLock(): Promise<{ commitSoon(): Promise<void> }> {
  const script = [
    `const db = new (require(${JSON.stringify(SQLITE)}))(${JSON.stringify(storeFile(dir))});`,
    "db.exec('BEGIN IMMEDIATE');",
    'db.prepare("INSERT INTO events (id, type, source, data, status, attempts, available_at, created_at, updated_at) ' +
      "VALUES ('from-holder', 'held.event', 'test', '{}', 'pending', 0, 0, 0, 0)\").run();",
    "console.log('locked');",
    "process.stdin.on('data', () => setTimeout(() => { db.exec('COMMIT'); process.exit(0); }, 300));",
  ].join('\n');
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  holder = child;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the lock holder did not start within 20s')), 20_000);
    child.stdout?.on('data', (d: Buffer) => {
      if (!d.toString().includes('locked')) return;
      clearTimeout(timer);
      resolve();
    });
    child.on('exit', (code) => reject(new Error(`the lock holder exited (${code})`)));
  });
  return { commitSoon: () => new Promise((resolve) => child.stdin?.write('commit\n', () => resolve())) };
}

describe('writeEagerly', () => {
  it("waits for another process's transaction, then writes what that one committed, and restores the busy timeout", async () => {
    const other = await holdWriteLock();
    // The claim starts while the other process still holds the lock (it commits 300 ms after being told), so it must
    // wait for it: without retries it fails at once with SQLITE_BUSY (the connection's busy timeout is off meanwhile).
    await other.commitSoon();
    const claimed = eventRepo(store).claim(owner, 10, 60_000);
    expect(claimed.map((e) => e.id)).toEqual(['from-holder']);
    expect(store.sqlite.pragma('busy_timeout', { simple: true })).toBe(BUSY_TIMEOUT_MS);
  });

  it("a dispatch does not wait for another process's transaction (it is journaled); a read waits, then sees it", async () => {
    const other = await holdWriteLock();
    const repo = eventRepo(store);
    // The lock is held: a commit now would wait for it, or fail once the busy timeout is over.
    const id = repo.dispatch('after.held', {}, { source: 'test' });
    await other.commitSoon();
    expect(repo.find(id)?.status).toBe('pending');
    expect(repo.find('from-holder')?.type).toBe('held.event');
  });

  it("a dispatch that moves its batch into the table does not wait out another process's transaction; the batch follows its commit", async () => {
    const other = await holdWriteLock();
    const repo = eventRepo(store);
    const started = performance.now();
    // The 256th dispatch moves the journaled batch into the table: the lock is held, so it is left for a timer.
    const ids = Array.from({ length: 256 }, (_, i) => repo.dispatch('while.held', { i }, { source: 'test' }));
    // Waiting for the lock would take the whole busy timeout: the holder commits only when told, after this.
    expect(performance.now() - started).toBeLessThan(BUSY_TIMEOUT_MS);
    expect(store.sqlite.pragma('busy_timeout', { simple: true })).toBe(BUSY_TIMEOUT_MS);
    await other.commitSoon();
    const inTable = store.sqlite.prepare("SELECT count(*) AS n FROM events WHERE type = 'while.held'").pluck();
    for (let i = 0; i < 400 && (inTable.get() as number) < ids.length; i++) await new Promise((r) => setTimeout(r, 25));
    expect(inTable.get()).toBe(ids.length);
  });

  it('gives up with SQLITE_BUSY after its timeout, and restores the busy timeout', async () => {
    await holdWriteLock();
    expect(() =>
      writeEagerly(
        store.sqlite,
        () => store.sqlite.prepare('INSERT INTO state (key, value, updated_at) VALUES (?, ?, 0)').run('k', '1'),
        200,
      ),
    ).toThrow(expect.objectContaining({ code: 'SQLITE_BUSY' }));
    expect(store.sqlite.pragma('busy_timeout', { simple: true })).toBe(BUSY_TIMEOUT_MS);
  });

  it('a queue write that cannot get the lock is a store error saying the database stayed locked', async () => {
    await holdWriteLock();
    expect(() => eventRepo(store).claim(owner, 10, 60_000)).toThrow(/stayed locked by another process/);
  }, 20_000);
});
