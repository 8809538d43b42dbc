import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import {
  maskSecrets,
  type RegisterInput,
  type RegisterStatus,
  type ResourceRecord,
  SlothError,
  type StackStore,
} from '@sloth/core/internal';
import type { Store } from './open-store.js';
import { perStore, prepareAll, type Statements } from './per-store.js';

// Raw SQL, every statement prepared once per store. Column names here are those of schema.ts.

export interface StackRecord {
  id: string;
  name: string;
  description: string | undefined;
  createdAt: number;
  updatedAt: number;
}

export type ChangeAction = RegisterStatus | 'deleted';
export type ExecutionStatus = 'running' | 'success' | 'failed' | 'aborted' | 'timeout' | 'interrupted';

export interface ExecutionRecord {
  id: string;
  stackId: string;
  workflow: string;
  status: ExecutionStatus;
  host: string;
  pid: number;
  startedAt: number;
  finishedAt: number | undefined;
  taskCounts: Record<string, number>;
  outputs: Record<string, unknown>;
  error: string | undefined;
  /** How many resources this execution created, changed, left unchanged and deleted. */
  changes: Record<ChangeAction, number>;
}

export interface ResourceChange {
  type: string;
  name: string;
  action: ChangeAction;
  at: number;
}

/** The versioned JSON document of `stack export` / `stack import`. */
export interface StackDocument {
  format: 'sloth-stack';
  version: 1;
  exportedAt: string;
  stack: StackRecord;
  resources: ResourceRecord[];
  outputs: Record<string, unknown>;
  executions: (ExecutionRecord & { resourceChanges: ResourceChange[] })[];
}

/** JSON with object keys sorted at every level, so equal values always give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, (v as Record<string, unknown>)[k]]),
      );
    }
    return v;
  });
}

/** The stable hash register_resource compares: sha256 of the canonical JSON of the properties. */
export function propertiesHash(properties: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson(properties)).digest('hex');
}

type Row = Record<string, unknown>;
const EMPTY_CHANGES = (): Record<ChangeAction, number> => ({ created: 0, changed: 0, unchanged: 0, deleted: 0 });

function parseJson<T>(text: unknown, fallback: T): T {
  if (typeof text !== 'string') return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

function toStack(r: Row): StackRecord {
  return {
    id: r.id as string,
    name: r.name as string,
    description: (r.description as string | null) ?? undefined,
    createdAt: r.created_at as number,
    updatedAt: r.updated_at as number,
  };
}

function toResource(r: Row): ResourceRecord {
  return {
    id: r.id as string,
    type: r.type as string,
    name: r.name as string,
    module: (r.module as string | null) ?? undefined,
    properties: parseJson(r.properties, {}),
    propertiesHash: r.properties_hash as string,
    dependencies: parseJson(r.dependencies, []),
    attributes: parseJson(r.attributes, {}),
    createdAt: r.created_at as number,
    updatedAt: r.updated_at as number,
    lastExecutionId: (r.last_execution_id as string | null) ?? undefined,
  };
}

function toExecution(r: Row, changes: Record<ChangeAction, number>): ExecutionRecord {
  return {
    id: r.id as string,
    stackId: r.stack_id as string,
    workflow: r.workflow as string,
    status: r.status as ExecutionStatus,
    host: r.host as string,
    pid: r.pid as number,
    startedAt: r.started_at as number,
    finishedAt: (r.finished_at as number | null) ?? undefined,
    taskCounts: parseJson(r.task_counts, {}),
    outputs: parseJson(r.outputs, {}),
    error: (r.error as string | null) ?? undefined,
    changes,
  };
}

/** Every statement of the repository (prepared once per store). */
const SQL = {
  listStacks: 'SELECT s.*, (SELECT COUNT(*) FROM resources r WHERE r.stack_id = s.id) AS n FROM stacks s ORDER BY s.name',
  deleteStack: 'DELETE FROM stacks WHERE name = ?',
  resources: 'SELECT * FROM resources WHERE stack_id = ? ORDER BY type, name',
  outputs: 'SELECT key, value FROM outputs WHERE stack_id = ? ORDER BY key',
  insertExecution: `INSERT INTO executions (id, stack_id, workflow, status, host, pid, started_at) VALUES (?, ?, ?, 'running', ?, ?, ?)`,
  runningExecutions: "SELECT id FROM executions WHERE stack_id = ? AND status = 'running' AND id IS NOT ?",
  markInterrupted: "UPDATE executions SET status = 'interrupted', error = ? WHERE id = ? AND status = 'running'",
  finishExecution: 'UPDATE executions SET status = ?, finished_at = ?, task_counts = ?, error = ? WHERE id = ?',
  executions: 'SELECT * FROM executions WHERE stack_id = ? ORDER BY started_at DESC, rowid DESC LIMIT ?',
  changes: 'SELECT type, name, action, at FROM resource_changes WHERE execution_id = ? ORDER BY id',
  changeCounts: 'SELECT action, COUNT(*) AS n FROM resource_changes WHERE execution_id = ? GROUP BY action',
  importExecution: `INSERT INTO executions (id, stack_id, workflow, status, host, pid, started_at, finished_at, task_counts, outputs, error)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  stackByName: 'SELECT * FROM stacks WHERE name = ?',
  stackById: 'SELECT * FROM stacks WHERE id = ?',
  insertStack: 'INSERT INTO stacks (id, name, description, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
  touchStack: 'UPDATE stacks SET updated_at = ? WHERE id = ?',
  resource: 'SELECT * FROM resources WHERE stack_id = ? AND type = ? AND name = ?',
  insertResource: `INSERT INTO resources (id, stack_id, type, name, module, properties, properties_hash, dependencies, attributes,
       created_at, updated_at, last_execution_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  reRegister: `UPDATE resources SET module = ?, properties = ?, properties_hash = ?, dependencies = ?, updated_at = ?,
       last_execution_id = ? WHERE id = ?`,
  markSeen: 'UPDATE resources SET last_execution_id = ?, module = ?, dependencies = ? WHERE id = ?',
  setAttributes: 'UPDATE resources SET attributes = ?, updated_at = ? WHERE id = ?',
  deleteResource: 'DELETE FROM resources WHERE id = ?',
  insertChange: 'INSERT INTO resource_changes (execution_id, type, name, action, at) VALUES (?, ?, ?, ?, ?)',
  upsertOutput: `INSERT INTO outputs (stack_id, key, value, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (stack_id, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  output: 'SELECT value FROM outputs WHERE stack_id = ? AND key = ?',
  execution: 'SELECT * FROM executions WHERE id = ?',
  executionOutputs: 'SELECT outputs FROM executions WHERE id = ?',
  setExecutionOutputs: 'UPDATE executions SET outputs = ? WHERE id = ?',
} as const;

/** Stacks, their resources, outputs and executions in one store; get one with `stackRepo(store)`. */
export class StackRepo implements StackStore {
  private readonly q: Statements<typeof SQL>;

  constructor(private readonly store: Store) {
    this.q = prepareAll(store, SQL);
  }

  /** The stack of that name, or undefined. */
  findStack(name: string): StackRecord | undefined {
    const r = this.q.stackByName.get(name) as Row | undefined;
    return r ? toStack(r) : undefined;
  }

  /** The stack of that name, or a not_found error listing what to do. */
  getStack(name: string): StackRecord {
    const found = this.findStack(name);
    if (found) return found;
    throw new SlothError('not_found', `stack '${name}' not found`, {
      hint: 'list stacks with `sloth-runner stack list`; a run creates its stack: `sloth-runner workflow run NAME -f FILE`',
    });
  }

  /** Creates a stack; a usage error if the name is taken. */
  createStack(name: string, description?: string): StackRecord {
    // Loose on purpose: a run names its stack after the workflow or the file; only what breaks a command line is refused.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
    if (name.length === 0 || name.length > 200 || name.startsWith('-') || /[\u0000-\u001f\u007f]/.test(name)) {
      throw new SlothError('usage', `invalid stack name '${name}'`, {
        hint: 'use 1 to 200 printable characters, not starting with "-"',
      });
    }
    return this.store.write(() => {
      if (this.findStack(name)) throw new SlothError('usage', `stack '${name}' already exists`, { hint: 'choose another name' });
      const now = Date.now();
      const stack: StackRecord = { id: randomUUID(), name, description, createdAt: now, updatedAt: now };
      this.q.insertStack.run(stack.id, name, description ?? null, now, now);
      return stack;
    });
  }

  /** The stack of that name, created on first use. */
  ensureStack(name: string): StackRecord {
    return this.findStack(name) ?? this.store.write(() => this.findStack(name) ?? this.createStack(name));
  }

  /** Every stack with its resource count and latest execution, by name. */
  listStacks(): (StackRecord & { resources: number; lastExecution: ExecutionRecord | undefined })[] {
    const rows = this.q.listStacks.all() as Row[];
    return rows.map((r) => ({ ...toStack(r), resources: r.n as number, lastExecution: this.executions(r.id as string, 1)[0] }));
  }

  /** Deletes a stack with everything recorded for it; false when there was none. */
  deleteStack(name: string): boolean {
    return this.store.write(() => this.q.deleteStack.run(name).changes > 0);
  }

  /**
   * Records that this execution manages a resource: created, changed (its properties hash differs) or unchanged.
   * Checkpointed at once in its own transaction, so a killed run leaves it recorded.
   */
  registerResource(
    stackId: string,
    executionId: string,
    input: RegisterInput,
  ): { status: RegisterStatus; resource: ResourceRecord } {
    const properties = input.properties ?? {};
    const hash = propertiesHash(properties);
    const deps = JSON.stringify(input.dependencies ?? []);
    const module = input.module ?? null;
    return this.store.write(() => {
      const now = Date.now();
      const row = this.q.resource.get(stackId, input.type, input.name) as Row | undefined;
      let status: RegisterStatus;
      if (!row) {
        status = 'created';
        this.q.insertResource.run(
          randomUUID(),
          stackId,
          input.type,
          input.name,
          module,
          JSON.stringify(properties),
          hash,
          deps,
          '{}',
          now,
          now,
          executionId,
        );
      } else if (row.properties_hash !== hash) {
        status = 'changed';
        this.q.reRegister.run(module, JSON.stringify(properties), hash, deps, now, executionId, row.id);
      } else {
        status = 'unchanged';
        this.q.markSeen.run(executionId, module, deps, row.id);
      }
      this.q.insertChange.run(executionId, input.type, input.name, status, now);
      const resource = toResource(this.q.resource.get(stackId, input.type, input.name) as Row);
      return { status, resource };
    });
  }

  /** Merges `attributes` into what the resource records (e.g. { state = "applied" }); not_found when it is not registered. */
  updateResource(stackId: string, type: string, name: string, attributes: Record<string, unknown>): ResourceRecord {
    return this.store.write(() => {
      const current = this.getResource(stackId, type, name);
      if (!current) {
        throw new SlothError('not_found', `resource ${type} '${name}' is not in the stack`, {
          hint: 'register it first with stack.register_resource({ type = ..., name = ..., properties = {...} })',
        });
      }
      const merged = { ...current.attributes, ...attributes };
      const now = Date.now();
      this.q.setAttributes.run(JSON.stringify(merged), now, current.id);
      return { ...current, attributes: merged, updatedAt: now };
    });
  }

  /** One resource of the stack, or undefined. */
  getResource(stackId: string, type: string, name: string): ResourceRecord | undefined {
    const row = this.q.resource.get(stackId, type, name) as Row | undefined;
    return row ? toResource(row) : undefined;
  }

  /** Removes a resource from the stack (recording the deletion in this execution); false when it was not there. */
  deleteResource(stackId: string, executionId: string | undefined, type: string, name: string): boolean {
    return this.store.write(() => {
      const current = this.getResource(stackId, type, name);
      if (!current) return false;
      this.q.deleteResource.run(current.id);
      if (executionId) this.q.insertChange.run(executionId, type, name, 'deleted', Date.now());
      return true;
    });
  }

  /** Every resource of the stack, by type then name. */
  resources(stackId: string): ResourceRecord[] {
    const rows = this.q.resources.all(stackId) as Row[];
    return rows.map(toResource);
  }

  /** Resources registered by earlier executions but not by this one. */
  orphans(stackId: string, executionId: string): ResourceRecord[] {
    return this.resources(stackId).filter((r) => r.lastExecutionId !== executionId);
  }

  /** Sets a stack output (and records it in the execution's outputs when there is one). */
  setOutput(stackId: string, executionId: string | undefined, key: string, value: unknown): void {
    const text = JSON.stringify(value ?? null);
    this.store.write(() => {
      const now = Date.now();
      this.q.upsertOutput.run(stackId, key, text, now);
      this.q.touchStack.run(now, stackId);
      if (executionId) {
        const row = this.q.executionOutputs.get(executionId) as Row | undefined;
        const outputs = { ...parseJson<Record<string, unknown>>(row?.outputs, {}), [key]: value ?? null };
        this.q.setExecutionOutputs.run(JSON.stringify(outputs), executionId);
      }
    });
  }

  /** A stack output, or undefined. */
  getOutput(stackId: string, key: string): unknown {
    const row = this.q.output.get(stackId, key) as Row | undefined;
    return row ? parseJson(row.value, undefined) : undefined;
  }

  /** Every output of the stack. */
  outputs(stackId: string): Record<string, unknown> {
    const rows = this.q.outputs.all(stackId) as Row[];
    return Object.fromEntries(rows.map((r) => [r.key as string, parseJson(r.value, null)]));
  }

  /** Starts an execution of the stack as 'running', by this process. */
  insertExecution(stackId: string, workflow: string, now = Date.now()): ExecutionRecord {
    const id = randomUUID();
    this.store.write(() => {
      this.q.insertExecution.run(id, stackId, workflow, hostname(), process.pid, now);
      this.q.touchStack.run(now, stackId);
    });
    return this.execution(id) as ExecutionRecord;
  }

  /** Marks executions of the stack still 'running' (other than `except`) as interrupted; returns them. */
  markInterrupted(stackId: string, except: string | undefined): ExecutionRecord[] {
    return this.store.write(() => {
      const rows = this.q.runningExecutions.all(stackId, except ?? null) as Row[];
      for (const r of rows) this.q.markInterrupted.run('its process stopped before the run finished (killed or crashed)', r.id);
      return rows.map((r) => this.execution(r.id as string) as ExecutionRecord);
    });
  }

  /** Ends an execution with its status, task counts and error (secrets this process read masked, as in outputs). */
  finishExecution(
    id: string,
    status: Exclude<ExecutionStatus, 'running'>,
    taskCounts: Record<string, number>,
    error?: string,
  ): ExecutionRecord {
    this.store.write(() => {
      this.q.finishExecution.run(
        status,
        Date.now(),
        JSON.stringify(taskCounts),
        error === undefined ? null : maskSecrets(error),
        id,
      );
    });
    return this.execution(id) as ExecutionRecord;
  }

  /** One execution with its change counts, or undefined. */
  execution(id: string): ExecutionRecord | undefined {
    const row = this.q.execution.get(id) as Row | undefined;
    return row ? toExecution(row, this.changeCounts(id)) : undefined;
  }

  /** The stack's executions, newest first. */
  executions(stackId: string, limit = 1000): ExecutionRecord[] {
    const rows = this.q.executions.all(stackId, limit) as Row[];
    return rows.map((r) => toExecution(r, this.changeCounts(r.id as string)));
  }

  /** The resource changes an execution recorded, in order. */
  changes(executionId: string): ResourceChange[] {
    return this.q.changes.all(executionId) as ResourceChange[];
  }

  private changeCounts(executionId: string): Record<ChangeAction, number> {
    const counts = EMPTY_CHANGES();
    const rows = this.q.changeCounts.all(executionId) as Row[];
    for (const r of rows) counts[r.action as ChangeAction] = r.n as number;
    return counts;
  }

  /** The whole stack as a versioned JSON document. */
  exportStack(name: string): StackDocument {
    const stack = this.getStack(name);
    return {
      format: 'sloth-stack',
      version: 1,
      exportedAt: new Date().toISOString(),
      stack,
      resources: this.resources(stack.id),
      outputs: this.outputs(stack.id),
      executions: this.executions(stack.id, Number.MAX_SAFE_INTEGER)
        .reverse()
        .map((e) => ({ ...e, resourceChanges: this.changes(e.id) })),
    };
  }

  /**
   * Recreates a stack from an export document, under its own name or `as`. Ids are kept unless the stack id is
   * already used in this store (importing a copy next to the original), then every id is new.
   */
  importStack(doc: unknown, options: { as?: string | undefined; replace?: boolean | undefined } = {}): StackRecord {
    const d = checkDocument(doc);
    const name = options.as ?? d.stack.name;
    return this.store.write(() => {
      const existing = this.findStack(name);
      if (existing && !options.replace) {
        throw new SlothError('usage', `stack '${name}' already exists`, {
          hint: 'import it under another name with --name NEW, or replace it with --force',
        });
      }
      if (existing) this.deleteStack(name);
      const fresh = this.q.stackById.get(d.stack.id) !== undefined;
      const id = (old: string) => (fresh ? randomUUID() : old);
      const stack = { ...d.stack, id: id(d.stack.id), name };
      this.q.insertStack.run(stack.id, name, stack.description ?? null, stack.createdAt, stack.updatedAt);
      const execIds = new Map(d.executions.map((e) => [e.id, id(e.id)]));
      for (const e of d.executions) {
        const eid = execIds.get(e.id) as string;
        this.q.importExecution.run(
          eid,
          stack.id,
          e.workflow,
          e.status,
          e.host,
          e.pid,
          e.startedAt,
          e.finishedAt ?? null,
          JSON.stringify(e.taskCounts ?? {}),
          JSON.stringify(e.outputs ?? {}),
          e.error ?? null,
        );
        for (const c of e.resourceChanges ?? []) this.q.insertChange.run(eid, c.type, c.name, c.action, c.at);
      }
      for (const r of d.resources) {
        this.q.insertResource.run(
          id(r.id),
          stack.id,
          r.type,
          r.name,
          r.module ?? null,
          JSON.stringify(r.properties ?? {}),
          propertiesHash(r.properties ?? {}),
          JSON.stringify(r.dependencies ?? []),
          JSON.stringify(r.attributes ?? {}),
          r.createdAt,
          r.updatedAt,
          r.lastExecutionId ? (execIds.get(r.lastExecutionId) ?? null) : null,
        );
      }
      for (const [key, value] of Object.entries(d.outputs ?? {})) {
        this.q.upsertOutput.run(stack.id, key, JSON.stringify(value ?? null), stack.updatedAt);
      }
      return stack;
    });
  }
}

function checkDocument(doc: unknown): StackDocument {
  const d = doc as Partial<StackDocument> | undefined;
  if (!d || typeof d !== 'object' || d.format !== 'sloth-stack') {
    throw new SlothError('usage', 'not a stack export: the document has no "format": "sloth-stack"', {
      hint: 'import a file written by `sloth-runner stack export NAME`',
    });
  }
  if (d.version !== 1) {
    throw new SlothError('usage', `stack export version ${String(d.version)} is not supported (this build reads version 1)`, {
      hint: 'export it again with this version of sloth-runner',
    });
  }
  if (!d.stack?.id || !d.stack.name || !Array.isArray(d.resources) || !Array.isArray(d.executions)) {
    throw new SlothError('usage', 'the stack export is incomplete: it needs stack.id, stack.name, resources and executions', {
      hint: 'import a file written by `sloth-runner stack export NAME`, unedited',
    });
  }
  return d as StackDocument;
}

/** The stack repository of a store, made once so its prepared statements are reused. */
export const stackRepo = perStore((store) => new StackRepo(store));
