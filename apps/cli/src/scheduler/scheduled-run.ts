import { spawn } from 'node:child_process';
import type { RunEnd, ScheduleRecord } from '@sloth/store-sqlite';
import { ms } from '../events-cli/format.js';
import { STOP_WITH_SCHEDULER_ENV } from './stop-with-scheduler.js';

/** How long a run stopped by its timeout or by the scheduler's stop has to end after SIGTERM before SIGKILL. */
const KILL_GRACE_MS = 10_000;
/** The most of a run's JSON report kept in memory; the error output kept is the last ERROR_TAIL characters. */
const MAX_REPORT = 4 * 1024 * 1024;
const ERROR_TAIL = 4000;

/** The `sloth-runner` arguments of a schedule's run: `workflow run`, exactly as a person would type it. */
export function workflowRunArgs(s: ScheduleRecord, dataDir: string): string[] {
  return [
    'workflow',
    'run',
    ...(s.workflow ? [s.workflow] : []),
    '-f',
    s.file,
    ...(s.stack ? ['--stack', s.stack] : []),
    ...s.runArgs,
    '--output',
    'json',
    '--data-dir',
    dataDir,
  ];
}

/**
 * Runs a schedule's workflow as `sloth-runner workflow run` in a child process (so a run that crashes, hangs or loads a
 * broken file cannot take the scheduler with it) and says how it ended: after `timeoutMs` it gets SIGTERM (then
 * SIGKILL) and ends as a timeout; `signal` (the scheduler stopping) does the same and ends it as interrupted.
 */
export function runScheduled(
  s: ScheduleRecord,
  dataDir: string,
  signal: AbortSignal,
  onOutput?: (chunk: string) => void,
): Promise<RunEnd> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [process.argv[1] as string, ...workflowRunArgs(s, dataDir)], {
      // Its own process group: a Ctrl-C meant for the scheduler's terminal reaches the scheduler, which stops it once.
      detached: true,
      // stdin: a pipe we never write to, closed when this process dies, which stops the run (stopWithScheduler).
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', [STOP_WITH_SCHEDULER_ENV]: '1' },
    });
    let report = '';
    let errors = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (report.length < MAX_REPORT) report += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      onOutput?.(chunk);
      errors = (errors + chunk).slice(-ERROR_TAIL);
    });
    let stopped: 'timeout' | 'interrupted' | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    const stop = (why: 'timeout' | 'interrupted') => {
      if (stopped) return;
      stopped = why;
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
    };
    const timer = s.timeoutMs ? setTimeout(() => stop('timeout'), s.timeoutMs) : undefined;
    const onAbort = () => stop('interrupted');
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) onAbort();
    const finish = (end: RunEnd) => {
      clearTimeout(timer);
      clearTimeout(killTimer);
      signal.removeEventListener('abort', onAbort);
      resolve(end);
    };
    child.on('error', (err) => finish({ status: 'failed', error: `cannot start the run: ${err.message}` }));
    child.on('close', (code, sig) => {
      const parsed = parseReport(report);
      const exitCode = code ?? undefined;
      const where = { stack: parsed?.stack, executionId: parsed?.executionId, exitCode };
      if (stopped === 'timeout') {
        finish({
          ...where,
          status: 'timeout',
          error: `still running at the schedule's timeout (${ms(s.timeoutMs ?? 0)}): stopped`,
        });
      } else if (stopped === 'interrupted') {
        finish({ ...where, status: 'interrupted', error: 'the scheduler stopped while it ran' });
      } else if (code === 0) {
        finish({ ...where, status: 'success' });
      } else {
        const error = parsed?.error ?? (errors.trim() || `the run exited with ${code ?? sig}`);
        finish({ ...where, status: 'failed', error });
      }
    });
  });
}

/** The stack, execution and error of a run's JSON report (`workflow run --output json`), when it printed one. */
function parseReport(text: string): { stack?: string; executionId?: string; error?: string } | undefined {
  try {
    const r = JSON.parse(text) as {
      error?: unknown;
      tasks?: Record<string, { status?: string; error?: string }>;
      stack?: { name?: string; execution_id?: string };
    };
    const failed = Object.entries(r.tasks ?? {})
      .filter(([, t]) => t.status === 'failed' && t.error)
      .map(([name, t]) => `task ${name}: ${t.error}`);
    const error = typeof r.error === 'string' ? r.error : failed.length > 0 ? failed.join('; ') : undefined;
    return { stack: r.stack?.name, executionId: r.stack?.execution_id, error };
  } catch {
    return undefined;
  }
}
