import type { SlothErrorCode } from './errors.js';
import type { LogFields, LogLevel } from './task-logger.js';
import type { ChangeRecord, RunResult, TaskResult } from './workflow-model.js';

/** What the engine reports while a workflow runs; renderers and the event queue consume these. */
export type RunEvent =
  | {
      type: 'workflow.started';
      runId: string;
      workflow: string;
      tasks: string[];
      /** Each task's dependencies (depends_on), by task name (absent from runs reported by older CLIs). */
      deps?: Record<string, string[]>;
      at: number;
    }
  | { type: 'task.started'; runId: string; task: string; attempt: number; at: number }
  | {
      type: 'task.log';
      runId: string;
      task: string;
      /** Set for the log lines of a delegated task: the agent they come from. */
      agent?: string | undefined;
      level: LogLevel;
      message: string;
      fields?: LogFields | undefined;
      stream?: 'stdout' | 'stderr' | undefined;
      at: number;
    }
  | {
      type: 'task.retrying';
      runId: string;
      task: string;
      attempt: number;
      delayMs: number;
      error: string;
      errorCode?: SlothErrorCode | undefined;
      at: number;
    }
  | { type: 'task.finished'; runId: string; task: string; result: TaskResult; at: number }
  /** A resource a task converged changed (in check mode: would change); `change.diff` is for this process's eyes only. */
  | { type: 'resource.changed'; runId: string; task: string; change: ChangeRecord; checkMode: boolean; at: number }
  | { type: 'workflow.finished'; runId: string; result: RunResult; at: number };

export type RunObserver = (event: RunEvent) => void;
