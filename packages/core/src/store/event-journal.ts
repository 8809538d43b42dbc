import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { pidIsDead } from './leases.js';

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
 * Events dispatched by this process that are not in the events table yet. Each dispatch appends its row to a file
 * of this process (one write: after it the event survives the process being killed, as a commit does with
 * synchronous = NORMAL), and the rows are moved into the table in batches, one transaction for many events, after
 * which the file is emptied. A process that dies leaves its file to the next one to recover it (recoverJournals).
 * The file's name says whose it is: host, pid, the process's start time (so a recycled pid is not taken for the
 * dead process) and a random part (several stores of one process each have their own).
 */
export class EventJournal {
  private readonly fd: number;
  private size = 0;
  private rows: JournalRow[] = [];
  private closed = false;

  private constructor(
    readonly path: string,
    fd: number,
  ) {
    this.fd = fd;
  }

  /** Opens a new journal for this process in the data directory; undefined when it cannot be written there. */
  static open(dataDir: string): EventJournal | undefined {
    const dir = join(dataDir, DIR);
    const path = join(dir, `${ownerTag(process.pid)}.${randomBytes(6).toString('hex')}${SUFFIX}`);
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      return new EventJournal(path, openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND, 0o600));
    } catch {
      return undefined;
    }
  }

  /** False once closed (its file descriptor may then belong to another file). */
  get open(): boolean {
    return !this.closed;
  }

  /** The rows appended since the last clear(), oldest first. */
  get pending(): readonly JournalRow[] {
    return this.rows;
  }

  /** Appends one row; when this returns, the row is in the file (a failed or short write leaves the file as it was). */
  append(row: JournalRow): void {
    if (this.closed) throw new Error('the event journal is closed');
    const line = Buffer.from(`${JSON.stringify(row)}\n`);
    let written = 0;
    try {
      written = writeSync(this.fd, line);
    } catch (err) {
      ftruncateSync(this.fd, this.size);
      throw err;
    }
    if (written !== line.length) {
      ftruncateSync(this.fd, this.size);
      throw new Error(`only ${written} of ${line.length} bytes could be written`);
    }
    this.size += written;
    this.rows.push(row);
  }

  /** Forgets the rows appended so far: they are committed to the events table. */
  clear(): void {
    ftruncateSync(this.fd, 0);
    this.size = 0;
    this.rows = [];
  }

  /** Closes the file, and deletes it when nothing is left in it. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
    if (this.rows.length === 0) unlinkQuietly(this.path);
  }
}

/**
 * Reads the journals that processes of this host left when they died, hands their rows to `ingest` (which must
 * store them so that a row stored before is not stored twice: another process may recover the same file at the same
 * time), then deletes them. A line cut short (the machine stopped mid-write) is skipped. Returns how many rows.
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
  for (const name of names) {
    if (!name.endsWith(SUFFIX) || !ownerIsGone(name)) continue;
    const path = join(dir, name);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      continue;
    }
    const rows = text.split('\n').flatMap(parseRow);
    if (rows.length > 0) ingest(rows);
    n += rows.length;
    unlinkQuietly(path);
  }
  return n;
}

/** "host.pid.start": who owns a journal. */
function ownerTag(pid: number): string {
  return `${hostname().replaceAll('.', '_')}.${pid}.${startTime(pid) ?? 0}`;
}

/** True when the journal's process (of this host) no longer runs: it died, or its pid now belongs to another process. */
function ownerIsGone(name: string): boolean {
  const [host, pidText, start] = name.split('.');
  if (host !== hostname().replaceAll('.', '_')) return false;
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return start !== String(startTime(pid) ?? 0);
  if (pidIsDead(pid)) return true;
  const now = startTime(pid);
  return now !== undefined && start !== '0' && start !== String(now);
}

/** When a process started (Linux: clock ticks since boot, from /proc); undefined where that cannot be read. */
function startTime(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: the fields after it follow the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const value = Number(fields[19]);
    return Number.isFinite(value) ? value : undefined;
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
