import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, statSync } from 'node:fs';

import { dirname } from 'node:path';
import { formatDuration } from '../duration.js';
import { SlothError } from '../errors.js';
import { makeDirectorySync } from '../make-directory.js';
import { DAEMON_PID_FILE_ENV, isReadyMessage } from './daemon-ready.js';
import { runningDaemon } from './pid-file.js';

/** What to start in the background. */
export interface DaemonSpec {
  /** Names it in messages: "the master", "agent web-01". */
  what: string;
  /** Arguments of node: the program's script, then its arguments (without the one asking for a daemon). */
  argv: string[];
  pidFile: string;
  logFile: string;
  /** How long it may take to be ready (listening, registered). */
  timeoutMs?: number;
  /** Aborts the wait (SIGINT of the caller): the child is stopped. */
  signal?: AbortSignal;
  /** Told when a pid file named a process that is gone (it is removed). */
  onStale?: (pid: number) => void;
  /** How to stop one that already runs (the hint of that error). */
  stopHint: string;
}

/** A daemon that is ready: its pid, and what it said when it became ready (e.g. its URL). */
export interface StartedDaemon {
  pid: number;
  detail: string;
}

const LOG_TAIL_LINES = 20;

/**
 * Starts a program as a daemon: a detached child with its output appended to the log file, which writes the pid file
 * and says so over an IPC channel once it is ready (see daemonReady). Resolves then, leaving it running; rejects
 * with the tail of its log if it exits first, and stops it if it is not ready within the time allowed.
 */
export async function startDaemon(spec: DaemonSpec): Promise<StartedDaemon> {
  const running = runningDaemon(spec.pidFile, spec.onStale);
  if (running !== undefined)
    throw new SlothError('conflict', `${spec.what} already runs in the background (pid ${running}, ${spec.pidFile})`, {
      hint: spec.stopHint,
    });
  makeDirectorySync(dirname(spec.logFile));
  const fd = openSync(spec.logFile, 'a');
  const logStart = statSync(spec.logFile).size;
  let child: ReturnType<typeof spawn>;
  try {
    child = spawn(process.execPath, spec.argv, {
      detached: true,
      stdio: ['ignore', fd, fd, 'ipc'],
      env: { ...process.env, [DAEMON_PID_FILE_ENV]: spec.pidFile },
    });
  } finally {
    closeSync(fd);
  }
  const timeoutMs = spec.timeoutMs ?? 30_000;
  const tail = () => logTail(spec.logFile, logStart);
  try {
    const detail = await new Promise<string>((resolve, reject) => {
      const fail = (err: SlothError) => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        reject(err);
      };
      const timer = setTimeout(
        () =>
          fail(
            new SlothError('timeout', `${spec.what} was not ready within ${formatDuration(timeoutMs)}: stopped it${tail()}`, {
              hint: `its log is ${spec.logFile}`,
            }),
          ),
        timeoutMs,
      );
      const onAbort = () => fail(new SlothError('aborted', `interrupted while ${spec.what} was starting: stopped it`));
      spec.signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => {
        clearTimeout(timer);
        spec.signal?.removeEventListener('abort', onAbort);
      };
      child.on('message', (m) => {
        if (!isReadyMessage(m)) return;
        done();
        resolve(m.detail);
      });
      child.on('error', (err) => {
        done();
        reject(new SlothError('internal', `cannot start ${spec.what}: ${err.message}`, { cause: err }));
      });
      child.on('exit', (code, signal) => {
        done();
        reject(
          new SlothError('usage', `${spec.what} exited (${signal ?? `code ${code}`}) before it was ready${tail()}`, {
            hint: `its log is ${spec.logFile}`,
          }),
        );
      });
    });
    return { pid: child.pid as number, detail };
  } finally {
    // Leave the daemon alone: no channel, no reference keeping this process alive.
    if (child.connected) child.disconnect();
    child.unref();
  }
}

/**
 * startDaemon as a command runs it: SIGINT/SIGTERM of this process stop the wait (and the child), and a stale pid
 * file is noted on stderr.
 */
export async function startDaemonFromCommand(spec: Omit<DaemonSpec, 'signal' | 'onStale'>): Promise<StartedDaemon> {
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await startDaemon({
      ...spec,
      signal: abort.signal,
      onStale: (pid) => process.stderr.write(`note: removed a stale pid file ${spec.pidFile} (process ${pid} is gone)\n`),
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** The last lines the daemon wrote to its log in this start, indented, for an error message. */
function logTail(logFile: string, from: number): string {
  let text = '';
  try {
    text = readFileSync(logFile, 'utf8').slice(from);
  } catch {
    return '';
  }
  const lines = text.trimEnd().split('\n').filter(Boolean).slice(-LOG_TAIL_LINES);
  return lines.length === 0 ? '' : `; its log says:\n${lines.map((l) => `    ${l}`).join('\n')}`;
}
