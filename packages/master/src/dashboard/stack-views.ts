import type { MessageInitShape } from '@bufbuild/protobuf';
import type { ResourceRecord } from '@sloth/core/internal';
import type { StackExecutionViewSchema, StackOutputViewSchema, StackViewSchema } from '@sloth/proto';
import type { ExecutionRecord, StackRecord, StackRepo } from '@sloth/store-sqlite';

/** Resources sent per stack at most. */
const MAX_RESOURCES = 1000;
/** An output value longer than this is cut (the page shows it in a table cell). */
export const MAX_OUTPUT_CHARS = 4096;

/** A stack with its resources (names only: properties may hold secrets) and its latest execution. */
export function stackView(
  s: StackRecord,
  resources: ResourceRecord[],
  lastExecution: ExecutionRecord | undefined,
): MessageInitShape<typeof StackViewSchema> {
  return {
    name: s.name,
    description: s.description ?? '',
    resourceCount: resources.length,
    lastWorkflow: lastExecution?.workflow ?? '',
    lastStatus: lastExecution?.status ?? '',
    lastStartedAtMs: BigInt(lastExecution?.startedAt ?? 0),
    updatedAtMs: BigInt(s.updatedAt),
    resources: resources
      .slice(0, MAX_RESOURCES)
      .map((r) => ({ type: r.type, name: r.name, module: r.module ?? '', updatedAtMs: BigInt(r.updatedAt) })),
  };
}

/** Every stack, by name. */
export function stackViews(repo: StackRepo): MessageInitShape<typeof StackViewSchema>[] {
  return repo.listStacks().map((s) => stackView(s, repo.resources(s.id), s.lastExecution));
}

/** A stack's outputs, each as `stack outputs` prints it (secret.get values were stored as ***). */
export function outputViews(outputs: Record<string, unknown>): MessageInitShape<typeof StackOutputViewSchema>[] {
  return Object.entries(outputs).map(([name, v]) => {
    const text = typeof v === 'string' ? v : JSON.stringify(v);
    return { name, value: text.length > MAX_OUTPUT_CHARS ? `${text.slice(0, MAX_OUTPUT_CHARS)}…` : text };
  });
}

/** One run of the stack as `stack history` shows it (its outputs are left out: the stack's own are sent). */
export function executionView(e: ExecutionRecord): MessageInitShape<typeof StackExecutionViewSchema> {
  return {
    id: e.id,
    workflow: e.workflow,
    status: e.status,
    startedAtMs: BigInt(e.startedAt),
    finishedAtMs: BigInt(e.finishedAt ?? 0),
    taskCounts: e.taskCounts,
    resourceChanges: e.changes,
    host: e.host,
    pid: e.pid,
    error: e.error ?? '',
  };
}
