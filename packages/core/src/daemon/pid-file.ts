import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SlothError } from '../errors.js';
import { pidIsDead } from '../pid-liveness.js';

/** Where a daemon of the data directory keeps its pid and its log: `<dir>/<name>.pid`, `<dir>/<name>.log`. */
export function daemonFiles(dataDir: string, name: string): { pidFile: string; logFile: string } {
  return { pidFile: join(dataDir, `${name}.pid`), logFile: join(dataDir, `${name}.log`) };
}

/** The pid a pid file holds; undefined when there is no file (or it holds no pid). */
export function readPidFile(path: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SlothError('usage', `cannot read the pid file ${path}: ${(err as Error).message}`);
  }
  const pid = Number(text.trim());
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

/** True while the process runs (a zombie, dead but not yet reaped, does not count). */
export function processAlive(pid: number): boolean {
  if (pidIsDead(pid)) return false;
  try {
    // "pid (comm) S ...": the state follows the last parenthesis. No /proc (macOS): trust kill(0).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/** Removes a pid file if it still names `pid` (a newer daemon may have replaced it). */
export function removePidFile(path: string, pid: number): void {
  if (readPidFile(path) === pid) rmSync(path, { force: true });
}

/**
 * The pid of the daemon a pid file names, if it runs; a pid file whose process is gone is removed, and `onStale`
 * hears of it.
 */
export function runningDaemon(pidFile: string, onStale: (pid: number) => void = () => {}): number | undefined {
  const pid = readPidFile(pidFile);
  if (pid === undefined) return undefined;
  if (processAlive(pid)) return pid;
  removePidFile(pidFile, pid);
  onStale(pid);
  return undefined;
}
