import type { RunEvent, RunObserver, RunResult } from '@sloth/core';
import { formatDuration } from '@sloth/core';
import { maskSecrets } from '@sloth/core/internal';
import logUpdate from 'log-update';
import { formatChange } from './change-lines.js';
import { pc } from './colors.js';
import { jsonReport } from './json-report.js';
import { LineSink } from './line-sink.js';
import { formatLogLine } from './log-line.js';
import { formatSummary } from './summary-table.js';

/** Shows a run to people or machines. */
export interface Renderer {
  observer: RunObserver;
  finish(result: RunResult): void;
}

export type OutputMode = 'basic' | 'json';

/** How a run is shown: debug lines, a live terminal view, the diff of each change (`--diff`). */
export interface RenderOptions {
  debug: boolean;
  tty: boolean;
  diff?: boolean | undefined;
  /** The run is in check mode: a task's change is one it would make. */
  checkMode?: boolean | undefined;
}

/** Chooses the renderer: JSON for machines; on a terminal a live view; otherwise plain task-prefixed lines. */
export function createRenderer(mode: OutputMode, options: RenderOptions): Renderer {
  if (mode === 'json') return new JsonRenderer(options.debug);
  return options.tty ? new LiveRenderer(options) : new PlainRenderer(options);
}

function finishedLine(e: Extract<RunEvent, { type: 'task.finished' }>, checkMode: boolean): string | undefined {
  const r = e.result;
  const took = pc.dim(formatDuration(r.durationMs));
  switch (r.status) {
    case 'success':
      return `${pc.green('✓')} ${r.name} ${took}${r.changed ? ` ${pc.yellow(checkMode ? 'would change' : 'changed')}` : ''}`;
    case 'skipped': {
      if (r.skipReason === 'not_notified') return undefined;
      const why = r.error ?? r.message;
      return `${pc.dim('↷')} ${r.name} ${pc.dim(`skipped${why ? `: ${why}` : ''}`)}`;
    }
    case 'aborted':
      return `${pc.yellow('■')} ${r.name} ${pc.yellow('aborted')} ${took}`;
    default:
      return `${pc.red('✗')} ${r.name} ${pc.red(r.status)} ${took}${r.error ? `: ${r.error.split('\n')[0]}` : ''}`;
  }
}

/** CI and pipes: every log line prefixed by its task, then the summary table. */
class PlainRenderer implements Renderer {
  private readonly out = new LineSink(process.stdout);
  constructor(private readonly options: RenderOptions) {}

  observer: RunObserver = (e) => {
    if (e.type === 'task.log') {
      if (e.level !== 'debug' || this.options.debug) this.out.write(formatLogLine(e));
    } else if (e.type === 'resource.changed') {
      for (const line of formatChange(e, this.options.diff === true)) this.out.write(line);
    } else if (e.type === 'task.started') {
      this.out.write(pc.dim(`[${e.task}] started${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''}`));
    } else if (e.type === 'task.finished') {
      const line = finishedLine(e, this.options.checkMode === true);
      if (line) this.out.write(line);
    }
  };

  finish(result: RunResult): void {
    this.out.flush();
    process.stdout.write(maskSecrets(`\n${formatSummary(result)}\n`));
  }
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** A terminal: logs scroll above a live region of running tasks (spinner, elapsed time, last log line). */
class LiveRenderer implements Renderer {
  private readonly running = new Map<string, { started: number; attempt: number; last: string }>();
  private frame = 0;
  private readonly out = new LineSink(
    process.stdout,
    () => logUpdate.clear(),
    () => this.draw(),
  );
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly options: RenderOptions) {
    this.timer = setInterval(() => {
      this.frame = (this.frame + 1) % SPINNER.length;
      this.draw();
    }, 100);
    this.timer.unref();
  }

  observer: RunObserver = (e) => {
    if (e.type === 'task.started') {
      this.running.set(e.task, { started: e.at, attempt: e.attempt, last: '' });
      this.draw();
    } else if (e.type === 'task.log') {
      const r = this.running.get(e.task);
      if (r) r.last = e.message;
      if (e.level !== 'debug' || this.options.debug) this.out.write(formatLogLine(e));
    } else if (e.type === 'resource.changed') {
      for (const line of formatChange(e, this.options.diff === true)) this.out.write(line);
    } else if (e.type === 'task.finished') {
      this.running.delete(e.task);
      const line = finishedLine(e, this.options.checkMode === true);
      if (line) this.out.write(line);
    }
  };

  private draw(): void {
    const width = process.stdout.columns || 100;
    const lines = [...this.running].map(([name, r]) => {
      const elapsed = formatDuration(Date.now() - r.started);
      const attempt = r.attempt > 1 ? pc.yellow(` attempt ${r.attempt}`) : '';
      const head = `${pc.cyan(SPINNER[this.frame] as string)} ${name} ${pc.dim(elapsed)}${attempt}`;
      const last = r.last ? pc.dim(` ${r.last.replace(/\s+/g, ' ')}`) : '';
      return `${head}${last}`.slice(0, width + 40);
    });
    logUpdate(lines.join('\n'));
  }

  finish(result: RunResult): void {
    clearInterval(this.timer);
    this.out.flush();
    logUpdate.clear();
    logUpdate.done();
    process.stdout.write(maskSecrets(`\n${formatSummary(result)}\n`));
  }
}

/** Machines: log lines go to stderr, the one JSON result object to stdout. */
class JsonRenderer implements Renderer {
  private readonly err = new LineSink(process.stderr);
  constructor(private readonly debug: boolean) {}

  observer: RunObserver = (e) => {
    if (e.type === 'task.log' && (e.level !== 'debug' || this.debug)) this.err.write(formatLogLine(e));
  };

  finish(result: RunResult): void {
    this.err.flush();
    process.stdout.write(maskSecrets(`${JSON.stringify(jsonReport(result), null, 2)}\n`));
  }
}
