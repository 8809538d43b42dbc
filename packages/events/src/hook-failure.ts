import type { ClaimedEvent, HookRecord } from '@sloth/store-sqlite';
import type { HookRunResult } from './hook-runner.js';

/** One line about a failed hook execution: which hook, which event, the attempt, the error, whether it will retry. */
export function describeHookFailure(hook: HookRecord, event: ClaimedEvent, r: HookRunResult, attempt: number): string {
  const left = hook.maxAttempts - attempt;
  return `hook ${hook.name} failed for ${event.type} (${event.id}), attempt ${attempt}/${hook.maxAttempts}: ${r.error}${left > 0 ? ' (will retry)' : ''}`;
}
