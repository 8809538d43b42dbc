import type { RunEvent, TaskResult } from '@sloth/core';

/** An engine event as it is persisted: its type and data (what hooks read as event.data). */
export interface EngineEvent {
  type: string;
  data: Record<string, unknown>;
}

const TASK_EVENT = {
  success: 'task.completed',
  failed: 'task.failed',
  timeout: 'task.timeout',
  skipped: 'task.skipped',
  // Stopped by Ctrl-C, abort_if or the workflow's timeout: a failure, whose task.status says which.
  aborted: 'task.failed',
} as const;

/**
 * The persisted event for an engine observer event, or undefined for those that are not events (log lines).
 * Data carries names, statuses, timings and error messages, never the environment or command lines: events are user
 * data that hooks send elsewhere.
 */
export function engineEvent(e: RunEvent, workflow: string): EngineEvent | undefined {
  const base = { workflow, run_id: e.runId };
  switch (e.type) {
    case 'workflow.started':
      return { type: 'workflow.started', data: { ...base, tasks: e.tasks } };
    case 'workflow.finished': {
      const r = e.result;
      const counts: Record<string, number> = {};
      for (const t of r.tasks) counts[t.status] = (counts[t.status] ?? 0) + 1;
      return {
        type: r.status === 'success' ? 'workflow.completed' : 'workflow.failed',
        data: { ...base, status: r.status, duration_ms: Math.round(r.durationMs), tasks: counts, error: r.error },
      };
    }
    case 'task.started':
      return { type: 'task.started', data: { ...base, task: { task_name: e.task, attempt: e.attempt } } };
    case 'task.retrying':
      return {
        type: 'task.retrying',
        data: {
          ...base,
          task: {
            task_name: e.task,
            attempt: e.attempt,
            error: withoutCommandLine(e.error),
            error_code: e.errorCode,
            delay_ms: e.delayMs,
          },
        },
      };
    case 'task.finished': {
      const r = e.result;
      return {
        type: TASK_EVENT[r.status],
        data: {
          ...base,
          task: {
            task_name: r.name,
            status: r.status,
            attempts: r.attempts,
            duration_ms: Math.round(r.durationMs),
            error: withoutCommandLine(r.error),
            error_code: r.errorCode,
            error_hint: r.errorHint,
            error_location: r.errorLocation,
            skip_reason: r.skipReason,
            changed: r.changed,
            ...delegation(r.agents),
          },
        },
      };
    }
    case 'resource.changed': {
      // Names what changed and which properties, never their values or the diff (a file's content may be a secret).
      const c = e.change;
      return {
        type: 'resource.changed',
        data: {
          ...base,
          task: e.task,
          module: c.module,
          function: c.function,
          target: c.target,
          properties: Object.keys(c.changes),
          check_mode: e.checkMode,
          ...(c.host !== undefined ? { agent_name: c.host } : {}),
        },
      };
    }
    default:
      return undefined;
  }
}

/**
 * Where a delegated task ran: agent_name (the agent, or the agents joined by ", " for a fan-out) and, per agent, its
 * status and error.
 */
function delegation(agents: TaskResult['agents']): Record<string, unknown> {
  if (!agents) return {};
  const names = Object.keys(agents);
  return {
    agent_name: names.join(', '),
    agents: Object.fromEntries(names.map((n) => [n, { status: agents[n]?.status, error: withoutCommandLine(agents[n]?.error) }])),
  };
}

/**
 * A shell-string task's error quotes its command line, which may hold a token typed into it: events leave the command
 * out and keep the exit status and the last stderr line.
 */
export function withoutCommandLine(error: string | undefined): string | undefined {
  return error?.replace(/^command `[\s\S]*` (exited with code -?\d+|was killed by \w+)/, 'command $1');
}
