import { eventRepo, type ScheduleRecord, type ScheduleRunRecord, type Store } from '@sloth/store-sqlite';

/**
 * Dispatches `schedule.triggered` (a run starts) or `schedule.skipped` (a firing did not run, and why) through the
 * event queue, so hooks can react to them like to any event.
 */
export function emitScheduleEvent(
  store: Store,
  type: 'schedule.triggered' | 'schedule.skipped',
  s: ScheduleRecord,
  run: ScheduleRunRecord,
): void {
  const data: Record<string, unknown> = {
    schedule: s.name,
    run_id: run.id,
    trigger: run.trigger,
    due_at: new Date(run.dueAt).toISOString(),
    file: s.file,
    ...(s.workflow ? { workflow: s.workflow } : {}),
    ...(run.error ? { reason: run.error } : {}),
  };
  eventRepo(store).dispatch(type, data, { source: 'scheduler', stack: s.stack });
}
