import { formatDuration, type RunResult } from '@sloth/core';

/** The one JSON object `--output json` prints: status, duration, tasks, outputs. */
export function jsonReport(result: RunResult): Record<string, unknown> {
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
      ...(t.skipReason !== undefined ? { skip_reason: t.skipReason } : {}),
    };
    if (t.output !== undefined) outputs[t.name] = t.output;
  }
  return {
    status: result.status,
    workflow: result.workflow,
    run_id: result.runId,
    duration: formatDuration(result.durationMs),
    duration_ms: Math.round(result.durationMs),
    tasks,
    outputs,
    ...(result.error !== undefined ? { error: result.error } : {}),
  };
}
