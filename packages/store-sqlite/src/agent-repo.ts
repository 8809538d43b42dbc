import { maskSecrets } from '@sloth/core/internal';
import type Database from 'better-sqlite3';
import { type Store, withStoreErrors } from './open-store.js';
import { perStore, prepareAll, type Statements } from './per-store.js';
import { keepTail } from './work-output-tail.js';

/** One agent of the master's registry, as stored. */
export interface AgentRecord {
  name: string;
  address: string;
  version: string;
  /** The labels the agent registered with (its --labels). */
  labels: Record<string, string>;
  /** Labels set on the master (`agent label`): a string replaces or adds one, null removes one. */
  labelOverrides: Record<string, string | null>;
  /** The SystemInfo of the last heartbeat, as the master received it. */
  system: Record<string, unknown>;
  registeredAt: number;
  lastHeartbeat: number;
}

/** Where a piece of work sent to an agent stands. */
export type AgentWorkStatus = 'pending' | 'success' | 'failed' | 'lost' | 'timeout' | 'cancelled';

/** One piece of work sent to an agent. */
export interface AgentWorkRecord {
  id: string;
  agent: string;
  kind: 'command' | 'task';
  what: string;
  status: AgentWorkStatus;
  exitCode: number | null;
  error: string | null;
  durationMs: number | null;
  /** A task's outputs as a JSON object. */
  outputJson: string | null;
  createdAt: number;
  deadline: number | null;
  finishedAt: number | null;
  /** How many characters of output it printed in all (the last WORK_OUTPUT_TAIL are kept: workOutput). */
  outputChars: number;
  /** The number of the last output chunk kept (0: none numbered). */
  outputSeq: number;
}

/** Output of one piece of work to add to its kept tail. */
export interface WorkOutputChunk {
  id: string;
  text: string;
  /** Characters printed before `text` that never reached the store (cut from a buffer that grew too long). */
  skipped: number;
  /** The number of the last chunk in `text` (0: not numbered). */
  seq: number;
}

/** The output kept of a piece of work: the end of it, and how many characters it printed in all. */
export interface WorkOutputTail {
  text: string;
  chars: number;
}

/** How a piece of work ended. */
export interface AgentWorkOutcome {
  status: Exclude<AgentWorkStatus, 'pending'>;
  exitCode?: number | undefined;
  error?: string | undefined;
  durationMs?: number | undefined;
  outputJson?: string | undefined;
}

/** Every column of agent_work but its output (read on its own: up to WORK_OUTPUT_TAIL characters). */
const WORK_COLUMNS =
  'id, agent, kind, what, status, exit_code, error, duration_ms, output_json, created_at, deadline, finished_at, output_chars, output_seq';

const SQL = {
  upsert:
    'INSERT INTO agents (name, address, version, labels, system, registered_at, last_heartbeat) VALUES (?, ?, ?, ?, ?, ?, ?) ' +
    'ON CONFLICT (name) DO UPDATE SET address = excluded.address, version = excluded.version, labels = excluded.labels, ' +
    'system = excluded.system, registered_at = excluded.registered_at, last_heartbeat = excluded.last_heartbeat',
  heartbeat: 'UPDATE agents SET last_heartbeat = ?, system = ? WHERE name = ?',
  setLabelOverrides: 'UPDATE agents SET label_overrides = ? WHERE name = ?',
  get: 'SELECT * FROM agents WHERE name = ?',
  list: 'SELECT * FROM agents ORDER BY name',
  delete: 'DELETE FROM agents WHERE name = ?',
  addWork:
    'INSERT INTO agent_work (id, agent, kind, what, status, created_at, deadline) VALUES (?, ?, ?, ?, ?, ?, ?) ' +
    'ON CONFLICT (id) DO NOTHING',
  finishWork:
    "UPDATE agent_work SET status = ?, exit_code = ?, error = ?, duration_ms = ?, output_json = ?, finished_at = ? WHERE id = ? AND status = 'pending'",
  count: 'SELECT count(*) FROM agents',
  getWork: `SELECT ${WORK_COLUMNS} FROM agent_work WHERE id = ?`,
  pendingWork: `SELECT ${WORK_COLUMNS} FROM agent_work WHERE status = 'pending' ORDER BY created_at`,
  listWork: `SELECT ${WORK_COLUMNS} FROM agent_work WHERE agent = ? ORDER BY created_at DESC, id LIMIT ?`,
  workOutput: 'SELECT output AS text, output_chars AS chars, output_seq AS seq FROM agent_work WHERE id = ?',
  setWorkOutput: 'UPDATE agent_work SET output = ?, output_chars = ?, output_seq = ? WHERE id = ?',
  pruneWork: "DELETE FROM agent_work WHERE status <> 'pending' AND finished_at < ?",
} as const;

interface AgentRow {
  name: string;
  address: string;
  version: string;
  labels: string;
  label_overrides: string;
  system: string;
  registered_at: number;
  last_heartbeat: number;
}

interface WorkRow {
  id: string;
  agent: string;
  kind: string;
  what: string;
  status: string;
  exit_code: number | null;
  error: string | null;
  duration_ms: number | null;
  output_json: string | null;
  created_at: number;
  deadline: number | null;
  finished_at: number | null;
  output_chars: number;
  output_seq: number;
}

interface OutputRow {
  text: string | null;
  chars: number;
  seq: number;
}

/** The master's agent registry and the work it dispatched, on a Store (prepared statements: heartbeats are a hot path). */
export class AgentRepo {
  private readonly sql: Statements<typeof SQL>;
  private readonly heartbeats: Database.Transaction<(beats: readonly AgentHeartbeat[]) => void>;
  private readonly outputs: Database.Transaction<(chunks: readonly WorkOutputChunk[]) => void>;

  constructor(readonly store: Store) {
    this.sql = prepareAll(store, SQL);
    this.sql.count.pluck();
    this.heartbeats = store.sqlite.transaction((beats: readonly AgentHeartbeat[]) => {
      for (const b of beats) this.sql.heartbeat.run(b.at, JSON.stringify(b.system), b.name);
    });
    this.outputs = store.sqlite.transaction((chunks: readonly WorkOutputChunk[]) => {
      for (const c of chunks) {
        const row = this.sql.workOutput.get(c.id) as OutputRow | undefined;
        if (!row) continue;
        // Masked before it is kept: the tail is what the dashboard shows.
        const text = maskSecrets(c.text);
        this.sql.setWorkOutput.run(
          keepTail((row.text ?? '') + text),
          row.chars + c.skipped + text.length,
          Math.max(row.seq, c.seq),
          c.id,
        );
      }
    });
  }

  /** Records a (re-)registration: the agent's row is created or replaced, keeping the labels set on the master. */
  register(agent: Omit<AgentRecord, 'labelOverrides'>): void {
    this.run(() =>
      this.sql.upsert.run(
        agent.name,
        agent.address,
        agent.version,
        JSON.stringify(agent.labels),
        JSON.stringify(agent.system),
        agent.registeredAt,
        agent.lastHeartbeat,
      ),
    );
  }

  /** Records many heartbeats in one transaction. */
  recordHeartbeats(beats: readonly AgentHeartbeat[]): void {
    if (beats.length > 0) this.run(() => this.heartbeats.immediate(beats));
  }

  get(name: string): AgentRecord | undefined {
    const row = this.run(() => this.sql.get.get(name) as AgentRow | undefined);
    return row ? toAgent(row) : undefined;
  }

  /** Every registered agent, by name. */
  list(): AgentRecord[] {
    return this.run(() => (this.sql.list.all() as AgentRow[]).map(toAgent));
  }

  /** Stores the labels set on the master for an agent; false when no agent has that name. */
  setLabelOverrides(name: string, overrides: Record<string, string | null>): boolean {
    return this.run(() => this.sql.setLabelOverrides.run(JSON.stringify(overrides), name).changes > 0);
  }

  /** How many agents are registered. */
  count(): number {
    return this.run(() => this.sql.count.get() as number);
  }

  /** Removes an agent from the registry; true when it was there. */
  delete(name: string): boolean {
    return this.run(() => this.sql.delete.run(name).changes > 0);
  }

  /** Records work sent to an agent, as pending. */
  addWork(work: Pick<AgentWorkRecord, 'id' | 'agent' | 'kind' | 'what' | 'createdAt' | 'deadline'>): void {
    this.run(() => this.sql.addWork.run(work.id, work.agent, work.kind, work.what, 'pending', work.createdAt, work.deadline));
  }

  /** Records how pending work ended; false when it was not pending (unknown, or already finished). */
  finishWork(id: string, outcome: AgentWorkOutcome, now = Date.now()): boolean {
    return this.run(
      () =>
        this.sql.finishWork.run(
          outcome.status,
          outcome.exitCode ?? null,
          outcome.error ?? null,
          outcome.durationMs ?? null,
          outcome.outputJson ?? null,
          now,
          id,
        ).changes > 0,
    );
  }

  getWork(id: string): AgentWorkRecord | undefined {
    const row = this.run(() => this.sql.getWork.get(id) as WorkRow | undefined);
    return row ? toWork(row) : undefined;
  }

  /** Work still waiting for its result, oldest first. */
  pendingWork(): AgentWorkRecord[] {
    return this.run(() => (this.sql.pendingWork.all() as WorkRow[]).map(toWork));
  }

  /** An agent's work, newest first: at most `limit` pieces. */
  listWork(agent: string, limit: number): AgentWorkRecord[] {
    return this.run(() => (this.sql.listWork.all(agent, limit) as WorkRow[]).map(toWork));
  }

  /**
   * Adds output to the kept tails of pieces of work, in one transaction: secrets this process read masked, each tail
   * cut to its last WORK_OUTPUT_TAIL characters. Output of work the store does not have is dropped.
   */
  appendWorkOutput(chunks: readonly WorkOutputChunk[]): void {
    if (chunks.length > 0) this.run(() => this.outputs.immediate(chunks));
  }

  /** The output kept of a piece of work (empty when it printed nothing); undefined for work the store does not have. */
  workOutput(id: string): WorkOutputTail | undefined {
    const row = this.run(() => this.sql.workOutput.get(id) as OutputRow | undefined);
    return row && { text: row.text ?? '', chars: row.chars };
  }

  /** Forgets finished work (and its output) older than `before`; returns how much. */
  pruneWork(before: number): number {
    return this.run(() => this.sql.pruneWork.run(before).changes);
  }

  private run<T>(fn: () => T): T {
    return withStoreErrors(this.store, fn);
  }
}

/** One heartbeat to record. */
export interface AgentHeartbeat {
  name: string;
  at: number;
  system: Record<string, unknown>;
}

function toAgent(r: AgentRow): AgentRecord {
  return {
    name: r.name,
    address: r.address,
    version: r.version,
    labels: parseObject(r.labels) as Record<string, string>,
    labelOverrides: parseObject(r.label_overrides) as Record<string, string | null>,
    system: parseObject(r.system),
    registeredAt: r.registered_at,
    lastHeartbeat: r.last_heartbeat,
  };
}

function toWork(r: WorkRow): AgentWorkRecord {
  return {
    id: r.id,
    agent: r.agent,
    kind: r.kind === 'task' ? 'task' : 'command',
    what: r.what,
    status: r.status as AgentWorkStatus,
    exitCode: r.exit_code,
    error: r.error,
    durationMs: r.duration_ms,
    outputJson: r.output_json,
    createdAt: r.created_at,
    deadline: r.deadline,
    finishedAt: r.finished_at,
    outputChars: r.output_chars,
    outputSeq: r.output_seq,
  };
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The agent repository of a store (one per store: its statements are prepared once). */
export const agentRepo = perStore((store) => new AgentRepo(store));
