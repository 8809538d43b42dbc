import type { RunEnd, ScheduleRecord, ScheduleRunRecord, Store } from '@sloth/store-sqlite';
import { scheduleRepo } from '@sloth/store-sqlite';
import { emitScheduleEvent } from './schedule-events.js';
import { runScheduled } from './scheduled-run.js';

/**
 * `scheduler run-now`: one run of a schedule in this process, recorded in its history (trigger run-now) like a
 * firing, whatever its overlap policy (it was asked for). A scheduler's `--after` dependents react to it as usual.
 */
export async function runScheduleNow(
  store: Store,
  dataDir: string,
  s: ScheduleRecord,
  signal: AbortSignal,
  onOutput: (chunk: string) => void,
): Promise<{ run: ScheduleRunRecord; end: RunEnd }> {
  const repo = scheduleRepo(store);
  const run = repo.recordRun(s.name, 'run-now', 'running', Date.now());
  emitScheduleEvent(store, 'schedule.triggered', s, run);
  const end = await runScheduled(s, dataDir, signal, onOutput);
  repo.finishRun(run.id, end);
  return { run, end };
}
