import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@sloth/core/testing';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { eventRepo } from './event-repo.js';
import { openStore, type Store, storeFile } from './open-store.js';

const DIST = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const meta = { source: 'test', runId: 'run-j' };

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const fn of cleanup.splice(0).reverse()) fn();
});

function newDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sloth-journal-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function open(dir: string): Store {
  const store = openStore(dir);
  cleanup.push(() => store.close());
  return store;
}

const journalFiles = (dir: string): string[] => {
  try {
    return readdirSync(join(dir, 'event-journal'));
  } catch {
    return [];
  }
};

/** A journal's file name as a process of this host (or `host`) and pid namespace (or `ns`) with `pid` would make it. */
function journalName(pid: number, { host = hostname().replaceAll('.', '_'), ns = PID_NS, start = '0' } = {}): string {
  return `${host}.${ns}.${pid}.${start}.abc.jsonl`;
}
const PID_NS = /\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/pid'))?.[1] ?? '0';
const journalLine = (id: string, data = '{}') => `${JSON.stringify([id, 'journal.test', 'test', null, 'run-j', data, 0, 1])}\n`;

/** Events of the run in the table, read on a plain connection (no journal of this process is involved). */
function tableCount(dir: string): number {
  const db = new Database(storeFile(dir), { readonly: true });
  try {
    return (db.prepare("SELECT count(*) AS n FROM events WHERE run_id = 'run-j'").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** A Node process that opens the store, dispatches `n` events, says "dispatched", then runs `then` (a statement). */
function dispatcher(dir: string, n: number, then: string): Promise<ChildProcess> {
  const script = [
    `import { openStore, eventRepo } from ${JSON.stringify(DIST)};`,
    `const repo = eventRepo(openStore(${JSON.stringify(dir)}));`,
    `for (let i = 0; i < ${n}; i++) repo.dispatch('journal.test', { i }, ${JSON.stringify(meta)});`,
    "console.log('dispatched');",
    then,
  ].join('\n');
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  cleanup.push(() => child.kill('SIGKILL'));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the dispatcher did not dispatch within 20s')), 20_000);
    child.stdout?.on('data', (d: Buffer) => {
      if (!d.toString().includes('dispatched')) return;
      clearTimeout(timer);
      resolve(child);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(child);
      else reject(new Error(`the dispatcher exited with ${code ?? signal} before dispatching`));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the dispatcher did not exit within 20s')), 20_000);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Blocks the child's thread for ever: its timers (the journal's flush) never run. */
const BLOCK = 'Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);';

describe('event journal', () => {
  it('events of a process killed with SIGKILL before they reached the table are stored by the next process', async () => {
    const dir = newDir();
    open(dir).close();
    const child = await dispatcher(dir, 100, BLOCK);
    // Journaled, not in the table yet (fewer than a flush's worth, and the process's timers are blocked).
    expect(tableCount(dir)).toBe(0);
    expect(journalFiles(dir)).toHaveLength(1);
    // A process alive keeps its journal: another one does not take it.
    const repo = eventRepo(open(dir));
    expect(repo.recoverAbandoned()).toBe(0);
    expect(journalFiles(dir).filter((f) => !f.includes(`.${process.pid}.`))).toHaveLength(1);
    child.kill('SIGKILL');
    await exited(child);
    expect(repo.recoverAbandoned()).toBe(100);
    expect(tableCount(dir)).toBe(100);
    expect(journalFiles(dir).filter((f) => !f.includes(`.${process.pid}.`))).toEqual([]);
    expect(
      repo
        .list({ runId: 'run-j', limit: 1000 })
        .map((e) => (e.data as { i: number }).i)
        .sort((a, b) => a - b),
    ).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('a dispatch whose line cannot be written whole (a file size limit, as a full disk) fails and leaves whole lines only', async () => {
    const dir = newDir();
    open(dir).close();
    // 64 KB of file per process: the journal fills it before its first move into the table (256 events).
    const script = [
      "process.on('SIGXFSZ', () => {});",
      `const { openStore, eventRepo } = await import(${JSON.stringify(DIST)});`,
      `const repo = eventRepo(openStore(${JSON.stringify(dir)}));`,
      "let ok = 0; let error = '';",
      'for (let i = 0; i < 255; i++) {',
      `  try { repo.dispatch('journal.test', { i, pad: 'x'.repeat(300) }, ${JSON.stringify(meta)}); ok = i + 1; }`,
      '  catch (e) { error = e.message; break; }',
      '}',
      'console.log(JSON.stringify({ ok, error }));',
      BLOCK,
    ].join('\n');
    const child = spawn('/bin/sh', ['-c', 'ulimit -f 128 && exec "$0" --input-type=module -e "$1"', process.execPath, script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    cleanup.push(() => child.kill('SIGKILL'));
    const line = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the dispatcher did not answer within 20s')), 20_000);
      child.stdout?.on('data', (d: Buffer) => {
        clearTimeout(timer);
        resolve(d.toString());
      });
    });
    const { ok, error } = JSON.parse(line) as { ok: number; error: string };
    expect(ok).toBeGreaterThan(100);
    expect(ok).toBeLessThan(255);
    expect(error).toMatch(
      /event 'journal\.test' was not dispatched: cannot write .*\.jsonl \(only \d+ of \d+ bytes could be written\)/,
    );
    const [file] = journalFiles(dir);
    const text = readFileSync(join(dir, 'event-journal', file as string), 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(text.trim().split('\n')).toHaveLength(ok);
    child.kill('SIGKILL');
    await exited(child);
    // The next process's first use of the queue stores them.
    eventRepo(open(dir));
    expect(tableCount(dir)).toBe(ok);
    expect(journalFiles(dir)).toEqual([]);
  });

  it('a process that exits without closing its store moves its journaled events into the table as it exits', async () => {
    const dir = newDir();
    open(dir).close();
    const child = await dispatcher(dir, 10, 'process.exit(0);');
    await exited(child);
    expect(child.exitCode).toBe(0);
    expect(tableCount(dir)).toBe(10);
    expect(journalFiles(dir)).toEqual([]);
  });

  it('a journal cut short mid-line is stored up to its last whole line, once, even when a row was stored before', () => {
    const dir = newDir();
    const store = open(dir);
    const repo = eventRepo(store);
    const kept = repo.dispatch('journal.test', { before: true }, meta);
    repo.flush();
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid as number;
    mkdirSync(join(dir, 'event-journal'), { recursive: true });
    const file = join(dir, 'event-journal', journalName(deadPid));
    // The row dispatched above again (its process died after committing, before emptying its journal), a new one,
    // and half a line.
    writeFileSync(
      file,
      journalLine(kept, '{"before":true}') +
        journalLine('01JOURNALTESTROW0000000001', '{"i":1}') +
        journalLine('01JOURNALTESTROW0000000002', '{"i":2}').slice(0, 30),
    );
    expect(repo.recoverAbandoned()).toBe(2);
    expect(journalFiles(dir).filter((f) => f.includes(`.${deadPid}.`))).toEqual([]);
    expect(repo.find(kept)?.data).toEqual({ before: true });
    expect(repo.find('01JOURNALTESTROW0000000001')?.data).toEqual({ i: 1 });
    expect(repo.find('01JOURNALTESTROW0000000002')).toBeUndefined();
    expect(tableCount(dir)).toBe(2);
  });

  it('a journal of a process running here, or of another host or pid namespace, is left alone until it is 10 minutes old', () => {
    const dir = newDir();
    const repo = eventRepo(open(dir));
    const journalDir = join(dir, 'event-journal');
    mkdirSync(journalDir, { recursive: true });
    const running = journalName(process.ppid);
    const elsewhere = journalName(process.pid, { host: 'some-other-host' });
    const container = journalName(1, { ns: '4026599999' });
    writeFileSync(join(journalDir, running), journalLine('01JOURNALTESTROW0000000003'));
    writeFileSync(join(journalDir, elsewhere), journalLine('01JOURNALTESTROW0000000004'));
    writeFileSync(join(journalDir, container), journalLine('01JOURNALTESTROW0000000005'));
    expect(repo.recoverAbandoned()).toBe(0);
    expect(journalFiles(dir).sort()).toEqual([running, elsewhere, container].sort());
    // Their owners cannot be checked from here: once unchanged for over 10 minutes they are taken for dead ones'.
    const old = new Date(Date.now() - 11 * 60_000);
    utimesSync(join(journalDir, elsewhere), old, old);
    utimesSync(join(journalDir, container), old, old);
    expect(repo.recoverAbandoned()).toBe(2);
    expect(journalFiles(dir)).toEqual([running]);
    expect(repo.find('01JOURNALTESTROW0000000003')).toBeUndefined();
    expect(repo.find('01JOURNALTESTROW0000000005')?.type).toBe('journal.test');
  });

  it('a journal of a pid now used by another process, this one included (its start time differs), is taken for the dead owner', () => {
    const dir = newDir();
    const repo = eventRepo(open(dir));
    mkdirSync(join(dir, 'event-journal'), { recursive: true });
    writeFileSync(
      join(dir, 'event-journal', journalName(process.ppid, { start: '1' })),
      journalLine('01JOURNALTESTROW0000000006'),
    );
    // This very pid, from an earlier process that had it.
    writeFileSync(
      join(dir, 'event-journal', journalName(process.pid, { start: '1' })),
      journalLine('01JOURNALTESTROW0000000008'),
    );
    expect(repo.recoverAbandoned()).toBe(2);
    expect(repo.find('01JOURNALTESTROW0000000006')?.type).toBe('journal.test');
    expect(repo.find('01JOURNALTESTROW0000000008')?.type).toBe('journal.test');
  });

  it('inside a transaction, reads neither move journaled events nor strand them, and recovery waits for the commit', async () => {
    const dir = newDir();
    const store = open(dir);
    const repo = eventRepo(store);
    repo.dispatch('journal.test', { i: 1 }, meta);
    expect(store.write(() => repo.liveCount('run-j'))).toBe(0);
    await waitFor(() => tableCount(dir) === 1, 10_000, 'the journaled event to reach the table after the transaction');
    // A dead process's journal found in a transaction that then fails is still there for the next try.
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid as number;
    writeFileSync(join(dir, 'event-journal', journalName(deadPid)), journalLine('01JOURNALTESTROW0000000007'));
    const other = open(dir);
    expect(() =>
      other.write(() => {
        eventRepo(other);
        throw new Error('the rest of the transaction failed');
      }),
    ).toThrow('the rest of the transaction failed');
    expect(journalFiles(dir)).toContain(journalName(deadPid));
    expect(eventRepo(other).recoverAbandoned()).toBe(1);
    expect(tableCount(dir)).toBe(2);
  });

  it("a read inside one store's transaction does not wait for another store of the process to move its events", () => {
    const dir = newDir();
    const a = open(dir);
    const b = open(dir);
    eventRepo(b).dispatch('journal.test', { from: 'b' }, meta);
    // `a` holds the write lock: moving b's events on b's connection would wait for it, then fail.
    const listed = a.write(() => {
      a.sqlite.prepare("INSERT INTO state (key, value, updated_at) VALUES ('k', '1', 0)").run();
      return eventRepo(a).list({ runId: 'run-j' });
    });
    expect(listed).toEqual([]);
    expect(eventRepo(a).list({ runId: 'run-j' })).toHaveLength(1);
  });

  it('a journal that cannot be stored keeps neither the other journals nor expired leases from being recovered', () => {
    const dir = newDir();
    const store = open(dir);
    const repo = eventRepo(store);
    const expired = repo.dispatch('journal.test', {}, meta);
    repo.claim({ token: 'gone', host: hostname(), pid: process.pid }, 1, -1000);
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid as number;
    const bad = journalName(deadPid, { start: '1' });
    const good = journalName(deadPid, { start: '2' });
    writeFileSync(join(dir, 'event-journal', bad), journalLine('01JOURNALTESTROWREFUSED000'));
    writeFileSync(join(dir, 'event-journal', good), journalLine('01JOURNALTESTROW0000000009'));
    store.sqlite.exec(
      "CREATE TEMP TRIGGER refuse_one BEFORE INSERT ON events WHEN NEW.id = '01JOURNALTESTROWREFUSED000' BEGIN SELECT RAISE(ABORT, 'refused (test)'); END",
    );
    expect(() => repo.recoverAbandoned()).toThrow(/refused \(test\)/);
    expect(repo.find(expired)?.status).toBe('pending');
    expect(repo.find('01JOURNALTESTROW0000000009')?.type).toBe('journal.test');
    expect(journalFiles(dir)).toContain(bad);
    expect(journalFiles(dir)).not.toContain(good);
    store.sqlite.exec('DROP TRIGGER refuse_one');
    expect(repo.recoverAbandoned()).toBe(1);
    expect(journalFiles(dir)).not.toContain(bad);
  });

  it('a journal closed twice (at exit, then by close) never truncates a file that reuses its descriptor', () => {
    const dir = newDir();
    const store = openStore(dir);
    const repo = eventRepo(store);
    store.sqlite.exec(
      "CREATE TEMP TRIGGER refuse_events BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'refused (test)'); END",
    );
    repo.dispatch('journal.test', { i: 1 }, meta);
    // As the exit hook does: the move fails, the journal is closed with its row still in it.
    repo.closeJournal();
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'keep me');
    const fd = openSync(victim, 'r+');
    try {
      store.sqlite.exec('DROP TRIGGER refuse_events');
      store.close();
      expect(readFileSync(victim, 'utf8')).toBe('keep me');
    } finally {
      closeSync(fd);
    }
    expect(journalFiles(dir)).toHaveLength(1);
  });

  it('an owner whose journal was taken as stale starts a new one, so later events are still recoverable', () => {
    const dir = newDir();
    const repo = eventRepo(open(dir));
    repo.dispatch('journal.test', { i: 1 }, meta);
    const [first] = journalFiles(dir);
    unlinkSync(join(dir, 'event-journal', first as string));
    repo.flush();
    repo.dispatch('journal.test', { i: 2 }, meta);
    const files = journalFiles(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).not.toBe(first);
    expect(readFileSync(join(dir, 'event-journal', files[0] as string), 'utf8')).toContain('"{\\"i\\":2}"');
  });

  it('the first dispatch opens the journal (reading the queue does not); closing the store empties and removes it', () => {
    const dir = newDir();
    const store = openStore(dir);
    const repo = eventRepo(store);
    expect(repo.list()).toEqual([]);
    expect(journalFiles(dir)).toEqual([]);
    for (let i = 0; i < 5; i++) repo.dispatch('journal.test', { i }, meta);
    const [file] = journalFiles(dir);
    expect(
      readFileSync(join(dir, 'event-journal', file as string), 'utf8')
        .trim()
        .split('\n'),
    ).toHaveLength(5);
    store.close();
    expect(tableCount(dir)).toBe(5);
    expect(journalFiles(dir)).toEqual([]);
  });

  it('when moving events keeps failing they stay journaled, and dispatch refuses new ones past 16,384 saying why', () => {
    const dir = newDir();
    const store = open(dir);
    const repo = eventRepo(store);
    // Fails every insert into events on this connection only, as a full disk would.
    store.sqlite.exec(
      "CREATE TEMP TRIGGER refuse_events BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'database or disk is full (test)'); END",
    );
    for (let i = 0; i < 16_384; i++) repo.dispatch('journal.test', { i }, meta);
    expect(() => repo.dispatch('journal.test', { i: 'one too many' }, meta)).toThrow(
      /was not dispatched: 16384 events wait to be written to .*sloth\.db, which keeps failing \(database or disk is full \(test\)\)/,
    );
    expect(tableCount(dir)).toBe(0);
    store.sqlite.exec('DROP TRIGGER refuse_events');
    repo.flush();
    expect(tableCount(dir)).toBe(16_384);
    expect(repo.dispatch('journal.test', { i: 'accepted again' }, meta)).toMatch(/^[0-9A-Z]{26}$/);
  });

  it('a dispatch moves a batch into the table at its 256th event, and a read through another store of this process sees the rest', () => {
    const dir = newDir();
    const repo = eventRepo(open(dir));
    for (let i = 0; i < 300; i++) repo.dispatch('journal.test', { i }, meta);
    expect(tableCount(dir)).toBe(256);
    const other = eventRepo(open(dir));
    expect(other.list({ runId: 'run-j', limit: 1000 })).toHaveLength(300);
    expect(tableCount(dir)).toBe(300);
  });
});
