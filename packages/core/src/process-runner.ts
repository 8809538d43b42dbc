import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants, userInfo } from 'node:os';
import { promisify } from 'node:util';
import { directArgv } from './direct-command.js';
import { SlothError } from './errors.js';
import { type Launched, launch } from './spawn-helper.js';
import { StreamCapture } from './stream-capture.js';

export interface ProcessOptions {
  /** A shell command line (run by /bin/sh -c) or an argv list (run directly). */
  command: string | readonly string[];
  cwd?: string | undefined;
  /** The complete environment of the child. */
  env?: Record<string, string | undefined> | undefined;
  stdin?: string | undefined;
  timeoutMs?: number | undefined;
  /** Kills the process group when it fires (task timeout, cancellation). */
  signal?: AbortSignal | undefined;
  /** Each output line as it arrives, for live logs. */
  onLine?: ((stream: 'stdout' | 'stderr', line: string) => void) | undefined;
  /** Bytes of each stream kept in the result; the rest is counted, not kept. */
  maxCaptureBytes?: number | undefined;
  /** Run as this user (needs root). */
  user?: string | undefined;
}

export interface ProcessResult {
  exitCode: number | null;
  /** The signal that ended the process, if one did. */
  signal: string | null;
  stdout: string;
  /** stdout's bytes as they came (binary output intact, up to the capture limit). */
  stdoutBytes?: Buffer | undefined;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
  aborted: boolean;
  truncated: boolean;
  /** The error code (ENOENT, EACCES...) when the process could not be started at all. */
  spawnError?: string | undefined;
}

const DEFAULT_CAPTURE = 8 * 1024 * 1024;
const KILL_GRACE_MS = 2000;
/** After the process exits, how long to wait for its pipes to drain (a daemonised grandchild may keep them open). */
const DRAIN_MS = 500;

/** Runs a process in its own process group, streaming lines and killing the whole group on timeout or abort. */
export async function runProcess(options: ProcessOptions): Promise<ProcessResult> {
  const started = performance.now();
  const ids = options.user ? await resolveUser(options.user) : undefined;
  const argv =
    typeof options.command === 'string' ? (directArgv(options.command) ?? ['/bin/sh', '-c', options.command]) : options.command;
  const [file, ...args] = argv;
  if (!file) throw new SlothError('invalid_argument', 'empty command');
  if (options.signal?.aborted) return emptyResult(started, { aborted: true });

  let child: Launched;
  try {
    child = launch({ file, args, cwd: options.cwd, env: options.env, uid: ids?.uid, gid: ids?.gid, stdin: options.stdin ?? '' });
  } catch (e) {
    // Some failures (a workdir that is a file: ENOTDIR) are thrown at once instead of emitted as 'error'.
    const failure = spawnFailure(file, e as NodeJS.ErrnoException, options.cwd);
    options.onLine?.('stderr', failure.line);
    return {
      ...emptyResult(started, { aborted: false }),
      exitCode: failure.exitCode,
      stderr: `${failure.line}\n`,
      spawnError: failure.code,
    };
  }
  return new Promise<ProcessResult>((resolve) => {
    const limit = options.maxCaptureBytes ?? DEFAULT_CAPTURE;
    const out = new StreamCapture('stdout', limit, options.onLine);
    const err = new StreamCapture('stderr', limit, options.onLine);
    let timedOut = false;
    let aborted = false;
    let exitCode: number | null = null;
    let exitSignal: string | null = null;
    let settled = false;
    let spawnError: string | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    let drainTimer: NodeJS.Timeout | undefined;

    const killGroup = (sig: NodeJS.Signals) => child.killGroup(sig);
    const stop = () => {
      killGroup('SIGTERM');
      killTimer ??= setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS);
    };
    const onAbort = () => {
      aborted = true;
      stop();
    };
    const timeoutTimer =
      options.timeoutMs !== undefined
        ? setTimeout(() => {
            timedOut = true;
            stop();
          }, options.timeoutMs)
        : undefined;
    options.signal?.addEventListener('abort', onAbort, { once: true });

    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timeoutTimer);
      clearTimeout(drainTimer);
      clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', onAbort);
      // Background children of a finished shell must not outlive the task.
      if (timedOut || aborted) killGroup('SIGKILL');
      out.end();
      err.end();
      // A daemonised grandchild may still hold the pipes; let go of them, or they keep this Node process alive.
      child.release();
      resolve({
        exitCode,
        signal: exitSignal,
        stdout: out.text(),
        stdoutBytes: out.bytes(),
        stderr: err.text(),
        durationMs: performance.now() - started,
        timedOut,
        aborted,
        truncated: out.truncated || err.truncated,
        spawnError,
      });
    };

    child.on('stdout', (chunk: Buffer) => out.push(chunk));
    child.on('stderr', (chunk: Buffer) => err.push(chunk));
    child.on('error', (e: NodeJS.ErrnoException) => {
      const failure = spawnFailure(file, e, options.cwd);
      exitCode = failure.exitCode;
      spawnError = failure.code;
      err.push(Buffer.from(`${failure.line}\n`));
      finish();
    });
    child.on('exit', (code: number | null, sig: string | null) => {
      exitCode = code;
      exitSignal = sig;
      clearTimeout(timeoutTimer); // it exited in time: the drain window below is not part of its run
      drainTimer = setTimeout(finish, DRAIN_MS);
    });
    child.on('close', finish);
  });
}

/** The exit code a shell would report: 128 + the signal number when the process was killed by a signal. */
export function processExitCode(r: Pick<ProcessResult, 'exitCode' | 'signal'>): number {
  if (r.exitCode !== null) return r.exitCode;
  const n = r.signal ? constants.signals[r.signal as keyof typeof constants.signals] : undefined;
  return n === undefined ? -1 : 128 + n;
}

/** A process that could not start, shaped like the shell's "command not found" (127) or "cannot execute" (126). */
function spawnFailure(file: string, e: NodeJS.ErrnoException, cwd: string | undefined) {
  const code = e.code ?? 'EUNKNOWN';
  // spawn also says ENOENT when the cwd is missing; do not blame the command for that.
  const badCwd = code === 'ENOENT' && cwd !== undefined && !existsSync(cwd);
  const why = badCwd ? `working directory ${cwd} does not exist` : code === 'ENOENT' ? 'command not found' : e.message;
  return { exitCode: code === 'ENOENT' ? 127 : 126, code, line: `${file}: ${why}` };
}

function emptyResult(started: number, flags: { aborted: boolean }): ProcessResult {
  return {
    exitCode: null,
    signal: null,
    stdout: '',
    stderr: '',
    durationMs: performance.now() - started,
    timedOut: false,
    aborted: flags.aborted,
    truncated: false,
  };
}

const execFileAsync = promisify(execFile);

async function resolveUser(name: string): Promise<{ uid: number; gid: number } | undefined> {
  if (name === userInfo().username) return undefined;
  if (process.getuid?.() !== 0) {
    throw new SlothError('invalid_argument', `cannot run as user '${name}': only root can switch users`, {
      hint: `run sloth-runner as root, or remove user("${name}")`,
    });
  }
  try {
    const [uid, gid] = await Promise.all([
      execFileAsync('id', ['-u', name], { timeout: 5000 }),
      execFileAsync('id', ['-g', name], { timeout: 5000 }),
    ]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  } catch {
    throw new SlothError('not_found', `user '${name}' does not exist on this machine`);
  }
}
