import { type AgentTaskResult, type ChangeRecord, formatDuration, type RunResult } from '@sloth/core';
import type { StackRunSummary } from '@sloth/store-sqlite';
import { runRecap } from './recap.js';

/** A finished run and, when it was recorded in a stack, what the stack recorded. */
export type ReportedRun = RunResult & { stack?: StackRunSummary | undefined };

/** The one JSON object `--output json` prints: status, duration, tasks, outputs, and the stack. */
export function jsonReport(result: ReportedRun): Record<string, unknown> {
  const tasks: Record<string, unknown> = {};
  const outputs: Record<string, unknown> = {};
  for (const t of result.tasks) {
    tasks[t.name] = {
      status: t.status,
      duration: formatDuration(t.durationMs),
      duration_ms: Math.round(t.durationMs),
      attempts: t.attempts,
      ...(t.message !== undefined ? { message: t.message } : {}),
      ...(t.output !== undefined ? { output: t.output } : {}),
      ...(t.error !== undefined ? { error: t.error } : {}),
      ...(t.errorCode !== undefined ? { error_code: t.errorCode } : {}),
      ...(t.errorHint !== undefined ? { error_hint: t.errorHint } : {}),
      ...(t.errorLocation !== undefined ? { error_location: t.errorLocation } : {}),
      ...(t.skipReason !== undefined ? { skip_reason: t.skipReason } : {}),
      ...(t.changed !== undefined ? { changed: t.changed } : {}),
      changes: (t.changes ?? []).map(changeReport),
      ...(t.agents !== undefined ? { agents: agentResults(t.agents) } : {}),
      ...(t.assertions !== undefined ? { assertions: t.assertions } : {}),
    };
    if (t.output !== undefined) outputs[t.name] = t.output;
  }
  return {
    status: result.status,
    workflow: result.workflow,
    run_id: result.runId,
    duration: formatDuration(result.durationMs),
    duration_ms: Math.round(result.durationMs),
    check_mode: result.checkMode === true,
    tasks,
    outputs,
    recap: runRecap(result),
    ...(result.error !== undefined ? { error: result.error } : {}),
    ...(result.stack ? { stack: stackReport(result.stack) } : {}),
  };
}

/** The stack part of the JSON report: snake_case like the rest of it. */
export function stackReport(s: StackRunSummary): Record<string, unknown> {
  const { created, changed, unchanged, deleted } = s.execution.changes;
  return {
    name: s.stack.name,
    id: s.stack.id,
    execution_id: s.execution.id,
    outputs: s.outputs,
    resources: { created, changed, unchanged, deleted },
    orphans: s.orphans,
    interrupted_executions: s.interrupted.map((e) => ({
      id: e.id,
      workflow: e.workflow,
      host: e.host,
      pid: e.pid,
      started_at: new Date(e.startedAt).toISOString(),
    })),
  };
}

/** One change: what made it, what it changed, its diff (when the content is text and not hidden). */
function changeReport(c: ChangeRecord): Record<string, unknown> {
  return {
    module: c.module,
    function: c.function,
    target: c.target,
    changes: c.changes,
    diff: c.diff ?? null,
    ...(c.diffSkipped !== undefined ? { diff_skipped: c.diffSkipped } : {}),
    ...(c.host !== undefined ? { host: c.host } : {}),
  };
}

/** A delegated task's result on each agent. */
function agentResults(agents: Record<string, AgentTaskResult>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(agents).map(([name, r]) => [
      name,
      {
        status: r.status,
        duration_ms: Math.round(r.durationMs),
        ...(r.output !== undefined ? { output: r.output } : {}),
        ...(r.error !== undefined ? { error: r.error } : {}),
        ...(r.errorCode !== undefined ? { error_code: r.errorCode } : {}),
        ...(r.changed !== undefined ? { changed: r.changed } : {}),
      },
    ]),
  );
}
