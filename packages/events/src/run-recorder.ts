import { errorMessage, type RunEvent } from '@sloth/core/internal';
import { RUN_RETENTION_MS, type RunLogRecord, runRepo, type Store } from '@sloth/store-sqlite';
import { withoutCommandLine } from './engine-events.js';

/** Log lines kept per run; past it one line says the rest was not recorded (the terminal still shows it). */
export const MAX_RUN_LOG_LINES = 100_000;
/** A longer line is cut to this many characters. */
const MAX_LINE_CHARS = 16_384;
/** Log lines wait at most this long to be written together. */
const LOG_FLUSH_MS = 100;
const LOG_FLUSH_LINES = 500;

/**
 * Records a workflow run in the data directory as it goes (the dashboard's Runs): the run, its tasks' states and its
 * log lines, from the engine's events, which are masked of secrets before any observer sees them. Log lines are
 * written in batches; the run's end writes what is left. A failed write is reported to `onError`, the run goes on.
 */
export class RunRecorder {
  private runId: string | undefined;
  private seq = 0;
  private pending: RunLogRecord[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: () => Store,
    private readonly onError: (message: string) => void,
    private readonly maxLines = MAX_RUN_LOG_LINES,
    /** Where the run goes on when it is not this process: a run a CLI reports to its master. */
    private readonly origin?: { host: string; pid: number },
  ) {}

  /** Records what an engine event says about the run. */
  observe(e: RunEvent, workflow: string, stack: string | undefined): void {
    try {
      this.record(e, workflow, stack);
    } catch (err) {
      this.onError(`could not record the run's ${e.type}: ${errorMessage(err)}`);
    }
  }

  /** Writes the log lines still waiting. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.runId === undefined || this.pending.length === 0) return;
    const lines = this.pending;
    this.pending = [];
    try {
      runRepo(this.store()).log(this.runId, lines);
    } catch (err) {
      this.onError(`could not record ${lines.length} log line(s) of the run: ${errorMessage(err)}`);
    }
  }

  private record(e: RunEvent, workflow: string, stack: string | undefined): void {
    const repo = () => runRepo(this.store());
    switch (e.type) {
      case 'workflow.started':
        this.runId = e.runId;
        repo().forgetBefore(e.at - RUN_RETENTION_MS);
        repo().start({
          id: e.runId,
          workflow,
          stack: stack ?? null,
          startedAt: e.at,
          tasks: e.tasks,
          deps: e.deps,
          ...this.origin,
        });
        return;
      case 'task.started':
        repo().taskStatus(e.runId, e.task, 'running', e.attempt);
        return;
      case 'task.retrying':
        repo().taskStatus(e.runId, e.task, 'retrying', e.attempt);
        return;
      case 'task.finished': {
        const r = e.result;
        this.flush();
        repo().taskEnd(e.runId, r.name, {
          status: r.status,
          attempts: r.attempts,
          changed: r.changed === true,
          durationMs: Math.round(r.durationMs),
          error: withoutCommandLine(r.error) ?? null,
          agent: r.agents ? Object.keys(r.agents).join(', ') : null,
        });
        return;
      }
      case 'task.log':
        this.addLine(e);
        return;
      case 'workflow.finished':
        this.flush();
        repo().finish(e.runId, e.result.status, e.at, withoutCommandLine(e.result.error));
        return;
      default:
        return;
    }
  }

  private addLine(e: Extract<RunEvent, { type: 'task.log' }>): void {
    if (this.seq > this.maxLines) return;
    this.seq++;
    const over = this.seq > this.maxLines;
    this.pending.push({
      seq: this.seq,
      at: e.at,
      task: e.task,
      agent: e.agent ?? null,
      level: over ? 'warn' : e.level,
      stream: over ? null : (e.stream ?? null),
      message: over
        ? `(the log of this run is cut at ${this.maxLines} lines: the rest was not recorded)`
        : e.message.slice(0, MAX_LINE_CHARS),
    });
    if (this.pending.length >= LOG_FLUSH_LINES) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), LOG_FLUSH_MS).unref();
  }
}
