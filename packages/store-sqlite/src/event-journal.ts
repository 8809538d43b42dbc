import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fstatSync,
  ftruncateSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { makeDirectorySync, pidIsDead } from '@sloth/core/internal';

/**
 * An event row as dispatch makes it, in the column order of the events insert: id, type, source, stack, run_id,
 * data (JSON text), depth, created_at (also available_at and updated_at).
 */
export type JournalRow = [
  id: string,
  type: string,
  source: string,
  stack: string | null,
  runId: string | null,
  data: string,
  depth: number,
  createdAt: number,
];

const DIR = 'event-journal';
const SUFFIX = '.jsonl';
/**
 * A journal whose owner cannot be checked (another host, or another pid namespace: a container) is taken for a dead
 * process's when it has not changed for this long: a live owner empties its file within milliseconds of each dispatch.
 */
export const STALE_JOURNAL_MS = 10 * 60_000;
/** How often an owner checks that its file was not taken as stale (it then starts a new one). */
const LINK_CHECK_MS = 1000;

/**
 * Events dispatched by this process that are not in the events table yet. Each dispatch appends its row to a file
 * of this process (one write: after it the event survives the process being killed, as a commit does with
 * synchronous = NORMAL), and the rows are moved into the table in batches, one transaction for many events, after
 * which the file is emptied. A process that dies leaves its file to the next one to recover it (recoverJournals).
 * The file's name says whose it is: host, pid namespace, pid, the process's start time (so a recycled pid is not taken
 * for the dead process) and a random part (several stores of one process each have their own).
 */
export class EventJournal {
  private fd: number;
  private size = 0;
  private rows: JournalRow[] = [];
  private closed = false;
  /** A write failed and the file could not be put back as it was: no more appends (dispatch commits instead). */
  private broken = false;
  private checkedAt = Date.now();

  private constructor(
    private readonly dataDir: string,
    public path: string,
    fd: number,
  ) {
    this.fd = fd;
  }

  /** Opens a new journal for this process in the data directory; undefined when it cannot be written there. */
  static open(dataDir: string): EventJournal | undefined {
    try {
      const { path, fd } = createFile(dataDir);
      return new EventJournal(dataDir, path, fd);
    } catch {
      return undefined;
    }
  }

  /** False once closed (its file descriptor may then belong to another file) or broken: appends are refused. */
  get open(): boolean {
    return !this.closed && !this.broken;
  }

  /** True once closed: its rows can no longer be cleared. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** The rows appended since the last clear(), oldest first. */
  get pending(): readonly JournalRow[] {
    return this.rows;
  }

  /** Appends one row; when this returns, the row is in the file (a failed or short write leaves the file as it was). */
  append(row: JournalRow): void {
    if (!this.open) throw new Error('the event journal is closed');
    if (Date.now() - this.checkedAt >= LINK_CHECK_MS) this.keepLinked();
    const line = Buffer.from(`${JSON.stringify(row)}\n`);
    let written = 0;
    try {
      written = writeSync(this.fd, line);
    } catch (err) {
      this.truncateBack();
      throw err;
    }
    if (written !== line.length) {
      this.truncateBack();
      throw new Error(`only ${written} of ${line.length} bytes could be written`);
    }
    this.size += written;
    this.rows.push(row);
  }

  /** Forgets the rows appended so far: they are committed to the events table. */
  clear(): void {
    if (this.closed) throw new Error('the event journal is closed');
    ftruncateSync(this.fd, 0);
    this.size = 0;
    this.rows = [];
    this.keepLinked();
  }

  /** Closes the file, and deletes it when nothing is left in it. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
    if (this.rows.length === 0) unlinkQuietly(this.path);
  }

  /** Cuts a partly written line off; if even that fails the file is left alone for good (a later line would join it). */
  private truncateBack(): void {
    try {
      ftruncateSync(this.fd, this.size);
    } catch {
      this.broken = true;
    }
  }

  /**
   * Another process took this file for a dead process's (its owner could not be checked and it looked stale) and
   * removed it: starts a new file holding the rows still pending, so a kill from now on leaves them findable.
   */
  private keepLinked(): void {
    this.checkedAt = Date.now();
    if (fstatSync(this.fd).nlink > 0) return;
    const { path, fd } = createFile(this.dataDir);
    const text = this.rows.map((r) => `${JSON.stringify(r)}\n`).join('');
    const size = text.length === 0 ? 0 : writeSync(fd, text);
    closeSync(this.fd);
    this.fd = fd;
    this.path = path;
    this.size = size;
  }
}

/**
 * Reads the journals whose processes died (or that are stale, see STALE_JOURNAL_MS), hands their rows to `ingest`
 * (which must store them so that a row stored before is not stored twice: another process may recover the same file
 * at the same time), then deletes them. A line cut short (the machine stopped mid-write) is skipped. A file whose rows
 * cannot be stored now is left for the next time, the others are recovered all the same, and then the first such
 * failure is thrown. Returns how many rows.
 */
export function recoverJournals(dataDir: string, ingest: (rows: JournalRow[]) => void): number {
  const dir = join(dataDir, DIR);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  let n = 0;
  let failure: unknown;
  for (const name of names) {
    const path = join(dir, name);
    if (!name.endsWith(SUFFIX) || !ownerIsGone(name, path)) continue;
    try {
      const rows = readFileSync(path, 'utf8').split('\n').flatMap(parseRow);
      if (rows.length > 0) ingest(rows);
      n += rows.length;
      unlinkQuietly(path);
    } catch (err) {
      failure ??= err;
    }
  }
  if (failure !== undefined) throw failure;
  return n;
}

function createFile(dataDir: string): { path: string; fd: number } {
  const dir = join(dataDir, DIR);
  makeDirectorySync(dir, 0o700);
  const path = join(dir, `${ownerTag()}.${randomBytes(6).toString('hex')}${SUFFIX}`);
  return { path, fd: openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND, 0o600) };
}

const HOST = hostname().replaceAll('.', '_');
/** The pid namespace of this process (Linux), so that a container's pids are not judged from another's; 0 elsewhere. */
const PID_NS = (() => {
  try {
    return /\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/pid'))?.[1] ?? '0';
  } catch {
    return '0';
  }
})();

/** "host.pidns.pid.start": who owns a journal. */
function ownerTag(): string {
  return `${HOST}.${PID_NS}.${process.pid}.${processInfo(process.pid)?.start ?? 0}`;
}

/**
 * True when the journal's process no longer runs: it died (or is a zombie), or its pid now belongs to another process.
 * A journal of another host or pid namespace cannot be checked that way: it is gone once stale.
 */
function ownerIsGone(name: string, path: string): boolean {
  const [host, ns, pidText, start] = name.split('.');
  const pid = Number(pidText);
  if (host !== HOST || ns !== PID_NS || !Number.isInteger(pid) || pid <= 0) return isStale(path);
  if (pid !== process.pid && pidIsDead(pid)) return true;
  const now = processInfo(pid);
  // Without /proc (macOS) a recycled pid cannot be told from its dead owner but by the file's age.
  if (now === undefined) return isStale(path);
  return now.state === 'Z' || (start !== '0' && start !== String(now.start));
}

function isStale(path: string): boolean {
  try {
    return Date.now() - statSync(path).mtimeMs > STALE_JOURNAL_MS;
  } catch {
    return false;
  }
}

/** A process's state letter and start time (Linux: clock ticks since boot, from /proc); undefined elsewhere. */
function processInfo(pid: number): { state: string; start: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: the fields after it follow the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const start = Number(fields[19]);
    return Number.isFinite(start) ? { state: fields[0] ?? '', start } : undefined;
  } catch {
    return undefined;
  }
}

function parseRow(line: string): JournalRow[] {
  if (line.length === 0) return [];
  try {
    const row = JSON.parse(line) as unknown;
    if (Array.isArray(row) && row.length === 8 && typeof row[0] === 'string' && typeof row[5] === 'string') {
      return [row as JournalRow];
    }
  } catch {
    // Cut short: the write it was part of never returned, so the event was never acknowledged.
  }
  return [];
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone: another process recovered it too.
  }
}
