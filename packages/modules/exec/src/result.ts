import { type ProcessResult, processExitCode, shellLine, timedOutAfter } from '@sloth/core/internal';

/** What `exec.run` hands back to Lua. */
export interface ExecResult {
  success: boolean;
  exit_code: number;
  stdout: string;
  stderr: string;
  duration_ms: number;
  timed_out: boolean;
  error?: string;
  /** Not run: check mode. */
  skipped?: boolean;
}

/** What a command not run in check mode hands back: a success that did nothing, marked skipped. */
export const SKIPPED_IN_CHECK_MODE: Readonly<ExecResult> = {
  success: true,
  exit_code: 0,
  stdout: '',
  stderr: '',
  duration_ms: 0,
  timed_out: false,
  skipped: true,
};

/** Shapes a process result for Lua, with a one-line `error` when the command did not succeed. */
export function toExecResult(command: string | readonly string[], r: ProcessResult, timeoutMs: number | undefined): ExecResult {
  const success = r.exitCode === 0 && !r.timedOut;
  const result: ExecResult = {
    success,
    exit_code: processExitCode(r),
    stdout: r.stdout,
    stderr: r.stderr,
    duration_ms: Math.round(r.durationMs),
    timed_out: r.timedOut,
  };
  if (!success) result.error = failureMessage(command, r, timeoutMs);
  return result;
}

/** The command as people would type it, shortened to fit one log line. */
export function displayCommand(command: string | readonly string[]): string {
  const text = typeof command === 'string' ? command : shellLine(command);
  const oneLine = text.replace(/\s*\n\s*/g, '; ');
  return oneLine.length > 80 ? `${oneLine.slice(0, 77)}...` : oneLine;
}

function failureMessage(command: string | readonly string[], r: ProcessResult, timeoutMs: number | undefined): string {
  const what = `command \`${displayCommand(command)}\``;
  const why = r.timedOut
    ? timedOutAfter(timeoutMs ?? r.durationMs)
    : r.signal
      ? `was killed by ${r.signal}`
      : `exited with code ${r.exitCode}`;
  const last = lastLine(r.stderr);
  return last ? `${what} ${why}: ${last}` : `${what} ${why}`;
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  const last = (lines[lines.length - 1] ?? '').trim();
  return last.length > 200 ? `${last.slice(0, 197)}...` : last;
}
