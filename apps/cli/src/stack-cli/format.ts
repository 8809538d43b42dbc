import type { ResourceRecord } from '@sloth/core/internal';
import type { ExecutionRecord } from '@sloth/store-sqlite';
import { pc } from '../render/colors.js';

export { table } from '../render/table.js';

/** Milliseconds since the epoch as ISO 8601, or "" when unset. */
export function iso(ms: number | undefined): string {
  return ms === undefined ? '' : new Date(ms).toISOString();
}

/** A value on one line: strings as they are, anything else as JSON. */
export function inline(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A resource for --output json (snake_case, ISO times). */
export function resourceJson(r: ResourceRecord, orphan: boolean): Record<string, unknown> {
  return {
    type: r.type,
    name: r.name,
    module: r.module ?? null,
    properties: r.properties,
    properties_hash: r.propertiesHash,
    dependencies: r.dependencies,
    attributes: r.attributes,
    created_at: iso(r.createdAt),
    updated_at: iso(r.updatedAt),
    last_execution_id: r.lastExecutionId ?? null,
    orphan,
  };
}

/** An execution for --output json. */
export function executionJson(e: ExecutionRecord): Record<string, unknown> {
  return {
    id: e.id,
    workflow: e.workflow,
    status: e.status,
    host: e.host,
    pid: e.pid,
    started_at: iso(e.startedAt),
    finished_at: e.finishedAt === undefined ? null : iso(e.finishedAt),
    task_counts: e.taskCounts,
    resources: e.changes,
    outputs: e.outputs,
    error: e.error ?? null,
  };
}

/** "2 created, 1 changed" (the non-zero counts), or "no resource changes". */
export function changeText(e: ExecutionRecord): string {
  const parts = Object.entries(e.changes)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`);
  return parts.length > 0 ? parts.join(', ') : 'no resources';
}

/** The status, coloured. */
export function statusText(status: string): string {
  if (status === 'success') return pc.green(status);
  if (status === 'running') return pc.cyan(status);
  if (status === 'aborted' || status === 'interrupted') return pc.yellow(status);
  return pc.red(status);
}

/** Resources not registered by the stack's latest execution. */
export function orphanIds(resources: ResourceRecord[], latest: ExecutionRecord | undefined): Set<string> {
  return new Set(latest ? resources.filter((r) => r.lastExecutionId !== latest.id).map((r) => r.id) : []);
}
