import type { EventRecord, HookExecutionRecord, HookRecord } from '@sloth/store-sqlite';
import { pc } from '../render/colors.js';
import { iso } from '../stack-cli/format.js';

export { iso, table } from '../stack-cli/format.js';

/** 1234 -> "1.2s", 30000 -> "30s", 12 -> "12ms". */
export function ms(n: number): string {
  if (n < 1000) return `${Math.round(n)}ms`;
  return n % 1000 === 0 ? `${n / 1000}s` : `${(n / 1000).toFixed(1)}s`;
}

/** An event status, coloured. */
export function eventStatusText(status: string): string {
  if (status === 'completed') return pc.green(status);
  if (status === 'failed') return pc.red(status);
  if (status === 'processing') return pc.cyan(status);
  return pc.yellow(status);
}

/** "ok" or "failed", coloured. */
export function resultText(e: HookExecutionRecord): string {
  return e.success ? pc.green('ok') : pc.red('failed');
}

/** The output or error of an execution, on one line. */
export function detail(e: HookExecutionRecord): string {
  return ((e.success ? e.output : e.error) ?? '').split('\n')[0] ?? '';
}

/** A hook for --output json. */
export function hookJson(h: HookRecord, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: h.name,
    event_type: h.eventType,
    stack: h.stack ?? null,
    enabled: h.enabled,
    timeout_ms: h.timeoutMs,
    max_attempts: h.maxAttempts,
    path: h.path,
    created_at: iso(h.createdAt),
    updated_at: iso(h.updatedAt),
    ...extra,
  };
}

/** An event for --output json. */
export function eventJson(e: EventRecord): Record<string, unknown> {
  return {
    id: e.id,
    type: e.type,
    source: e.source,
    stack: e.stack ?? null,
    run_id: e.runId ?? null,
    depth: e.depth,
    status: e.status,
    attempts: e.attempts,
    error: e.error ?? null,
    data: e.data,
    created_at: iso(e.createdAt),
    updated_at: iso(e.updatedAt),
    processed_at: e.processedAt === undefined ? null : iso(e.processedAt),
  };
}

/** A hook execution for --output json. */
export function executionJson(e: HookExecutionRecord): Record<string, unknown> {
  return {
    hook: e.hook,
    event_id: e.eventId,
    attempt: e.attempt,
    success: e.success,
    output: e.output ?? null,
    error: e.error ?? null,
    duration_ms: e.durationMs,
    started_at: iso(e.startedAt),
  };
}
