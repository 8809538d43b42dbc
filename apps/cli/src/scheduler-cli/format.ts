import type { ScheduleRecord, ScheduleRunRecord } from '@sloth/store-sqlite';
import { ms } from '../events-cli/format.js';
import { pc } from '../render/colors.js';
import { MISSED_AFTER_MS } from '../scheduler/scheduler-loop.js';
import { iso } from '../stack-cli/format.js';

/** When a schedule fires: its expression and timezone, and what it runs after. */
export function whenText(s: ScheduleRecord): string {
  const parts = [];
  if (s.cron !== '') parts.push(s.timezone ? `${s.cron} (${s.timezone})` : s.cron);
  if (s.after) parts.push(`after ${s.after}`);
  return parts.join(', ');
}

/**
 * The next run's time, "" when there is none, with "(overdue)" when it is past by more than a scheduler takes to fire
 * (no scheduler runs for this data directory: `scheduler run`, or a master on it).
 */
export function nextRunText(s: ScheduleRecord, now = Date.now()): string {
  if (!s.enabled || s.fireAt === undefined) return '';
  return now - s.fireAt > MISSED_AFTER_MS ? `${iso(s.fireAt)} ${pc.yellow('(overdue)')}` : iso(s.fireAt);
}

/** A run status, coloured. */
export function runStatusText(status: string): string {
  if (status === 'success') return pc.green(status);
  if (status === 'failed' || status === 'timeout' || status === 'interrupted') return pc.red(status);
  if (status === 'running') return pc.cyan(status);
  return pc.yellow(status);
}

/** How long a run took, or "" while it runs or when it never started. */
export function runDuration(r: ScheduleRunRecord): string {
  return r.startedAt !== undefined && r.finishedAt !== undefined ? ms(r.finishedAt - r.startedAt) : '';
}

/** What to say about a run on one line: its error or skip reason, else where it was recorded. */
export function runDetail(r: ScheduleRunRecord): string {
  if (r.error) return r.error.split('\n').find((l) => l.trim() !== '') ?? '';
  return r.stack ? `stack ${r.stack}${r.executionId ? `, execution ${r.executionId}` : ''}` : '';
}

/** A schedule for `-o json`. */
export function scheduleJson(s: ScheduleRecord, last?: ScheduleRunRecord): Record<string, unknown> {
  return {
    name: s.name,
    cron: s.cron === '' ? null : s.cron,
    timezone: s.timezone ?? null,
    file: s.file,
    workflow: s.workflow ?? null,
    stack: s.stack ?? null,
    run_args: s.runArgs,
    overlap: s.overlap,
    catch_up: s.catchUp,
    timeout_ms: s.timeoutMs ?? null,
    jitter_ms: s.jitterMs,
    after: s.after ?? null,
    enabled: s.enabled,
    next_run_at: s.enabled && s.fireAt !== undefined ? iso(s.fireAt) : null,
    last_run: last ? runJson(last) : null,
    created_at: iso(s.createdAt),
    updated_at: iso(s.updatedAt),
  };
}

/** A run for `-o json`. */
export function runJson(r: ScheduleRunRecord): Record<string, unknown> {
  return {
    id: r.id,
    schedule: r.schedule,
    trigger: r.trigger,
    status: r.status,
    due_at: iso(r.dueAt),
    started_at: r.startedAt === undefined ? null : iso(r.startedAt),
    finished_at: r.finishedAt === undefined ? null : iso(r.finishedAt),
    exit_code: r.exitCode ?? null,
    error: r.error ?? null,
    stack: r.stack ?? null,
    execution_id: r.executionId ?? null,
  };
}
