import { create } from '@bufbuild/protobuf';
import { Code, ConnectError } from '@connectrpc/connect';
import { WORK_STATUS_KEY } from '@sloth/client';
import { BoundedBacklog, formatDuration, SlothError } from '@sloth/core/internal';
import { type WorkOutput, WorkOutput_Stream, type WorkResult, WorkResultSchema } from '@sloth/proto';
import { type AgentRepo, type AgentWorkOutcome, keepTail, type WorkOutputChunk } from '@sloth/store-sqlite';

/** Who waits for a piece of work: the call that asked for it (absent after a master restart). */
export interface WorkListener {
  output(o: WorkOutput): void;
  done(r: WorkResult): void;
  failed(err: ConnectError): void;
}

interface PendingWork {
  id: string;
  agent: string;
  kind: 'command' | 'task';
  what: string;
  deadline: number | undefined;
  listener: WorkListener | undefined;
  /** Since when its agent is gone (its last message); unset while the agent is connected. */
  goneSince: number | undefined;
  /** Output that arrived while nobody listened (after a master restart, before its caller re-attached). */
  unheard: BoundedBacklog<WorkOutput> | undefined;
  /** Output not yet added to the work's kept tail in the store (see flushOutput). */
  unstored: WorkOutputChunk | undefined;
  /** The number of the last output chunk taken: one the agent sends again after a reconnection is taken once. */
  lastSeq: number;
}

/** How a piece of work ended, as agent_work records it. */
export type WorkEnd = AgentWorkOutcome['status'];

/** How long finished work (and its output) stays in the store: a master forgets older work when it starts. */
export const KEEP_FINISHED_WORK_DAYS = 7;

/** Output kept per piece of work for a caller that has not re-attached yet. */
const UNHEARD_BYTES_PER_WORK = 1024 * 1024;
/** Finished work whose output waits for its caller to re-attach: the oldest is forgotten beyond this many. */
const UNHEARD_FINISHED_WORKS = 64;

/**
 * Work sent to agents and not yet finished. Each piece is in the store from the moment it is sent, so a result that
 * arrives after a reconnection, or after a master restart, is recorded. Work whose agent goes away stays pending
 * while the agent may come back: it fails when the agent returns without it (it was restarted), when the agent has
 * been gone longer than the grace period, or when the work's own deadline passes.
 */
export class WorkTracker {
  private readonly pending = new Map<string, PendingWork>();
  /** Output of work that finished before its caller re-attached, by work id, oldest first. */
  private readonly unheardFinished = new Map<string, WorkOutput[]>();

  constructor(
    private readonly repo: AgentRepo,
    private readonly log: (level: 'info' | 'warn' | 'debug', message: string) => void,
    /** Told when a piece of work this master tracks ends (the /metrics counters). */
    private readonly onFinished: (kind: 'command' | 'task', end: WorkEnd) => void = () => {},
  ) {}

  /** Picks up work left pending by a previous master process: its agents get the grace period to come back. */
  resume(now: number): number {
    const rows = this.repo.pendingWork();
    for (const w of rows) {
      this.pending.set(w.id, {
        id: w.id,
        agent: w.agent,
        kind: w.kind,
        what: w.what,
        deadline: w.deadline ?? undefined,
        listener: undefined,
        goneSince: now,
        unheard: undefined,
        unstored: undefined,
        lastSeq: w.outputSeq,
      });
    }
    return rows.length;
  }

  /** Records new work for `agent` (before it is sent). `timeoutMs` 0: no deadline. */
  start(
    work: { id: string; agent: string; kind: 'command' | 'task'; what: string },
    timeoutMs: number,
    listener: WorkListener,
    now: number,
    slackMs: number,
  ): void {
    const deadline = timeoutMs > 0 ? now + timeoutMs + slackMs : undefined;
    this.repo.addWork({ ...work, createdAt: now, deadline: deadline ?? null });
    this.pending.set(work.id, {
      ...work,
      deadline,
      listener,
      goneSince: undefined,
      unheard: undefined,
      unstored: undefined,
      lastSeq: 0,
    });
  }

  /**
   * A chunk of output from `agent` for its listener; kept (bounded) while there is none yet. It goes to the work's
   * kept tail in the store too, with the next flushOutput.
   */
  output(agent: string, o: WorkOutput): void {
    const p = this.pending.get(o.workId);
    if (!p || p.agent !== agent) return;
    if (o.seq === 0 || o.seq > p.lastSeq) {
      p.lastSeq = Math.max(p.lastSeq, o.seq);
      p.unstored ??= { id: p.id, text: '', skipped: 0, seq: 0 };
      const u = p.unstored;
      const text = u.text + outputText(o);
      u.text = keepTail(text);
      u.skipped += text.length - u.text.length;
      u.seq = p.lastSeq;
    }
    if (p.listener) p.listener.output(o);
    else {
      p.unheard ??= new BoundedBacklog(UNHEARD_BYTES_PER_WORK);
      p.unheard.push(o, o.text.length);
    }
  }

  /** A result from `agent`: recorded, handed to its listener. The agent is acked whatever happens (it may forget it). */
  result(agent: string, r: WorkResult, now: number): void {
    const p = this.pending.get(r.workId);
    if (p && p.agent !== agent) {
      this.log('warn', `agent ${agent} sent a result for work ${r.workId} of agent ${p.agent}; ignored`);
      return;
    }
    // Its output is in the store before its end: a reader that sees it ended has all of it.
    if (p) this.storeOutput([p]);
    const outcome: AgentWorkOutcome = {
      status: r.success ? 'success' : 'failed',
      exitCode: r.exitCode,
      error: r.error || undefined,
      durationMs: r.durationMs,
      outputJson: r.outputJson || undefined,
    };
    const recorded = this.repo.finishWork(r.workId, outcome, now);
    if (!p) {
      this.log(
        recorded ? 'info' : 'debug',
        `result of work ${r.workId} from ${agent} ${recorded ? 'recorded' : 'was already settled'}`,
      );
      return;
    }
    this.pending.delete(r.workId);
    this.onFinished(p.kind, outcome.status);
    if (!p.listener && p.unheard) this.keepUnheard(r.workId, p.unheard.list());
    p.listener?.done(r);
  }

  /** An agent registered: its work it still runs or holds a result for stays pending; the rest is lost. */
  agentRegistered(agent: string, running: readonly string[], withResult: readonly string[], now: number): void {
    const claimed = new Set([...running, ...withResult]);
    for (const p of this.pending.values()) {
      if (p.agent !== agent) continue;
      if (claimed.has(p.id)) p.goneSince = undefined;
      else
        this.settle(
          p,
          'lost',
          `agent ${agent} came back without it (the agent was restarted, or never received it)`,
          Code.Aborted,
          now,
        );
    }
  }

  /**
   * A caller re-attaches to work (it lost the master while the work ran): pending work now reports to `listener` (the
   * earlier caller is gone); finished work is reported at once from the store. Returns the work's agent; not_found when
   * this master never sent it.
   */
  watch(id: string, listener: WorkListener): string {
    const p = this.pending.get(id);
    if (p) {
      p.listener = listener;
      for (const o of p.unheard?.list() ?? []) listener.output(o);
      p.unheard = undefined;
      return p.agent;
    }
    const w = this.repo.getWork(id);
    if (!w)
      throw new SlothError('not_found', `this master has no work ${id}`, { hint: 'its data directory may have been replaced' });
    for (const o of this.unheardFinished.get(id) ?? []) listener.output(o);
    this.unheardFinished.delete(id);
    if (w.status === 'success' || w.status === 'failed') {
      listener.done(
        create(WorkResultSchema, {
          workId: id,
          success: w.status === 'success',
          exitCode: w.exitCode ?? undefined,
          error: w.error ?? '',
          outputJson: w.outputJson ?? '',
          durationMs: w.durationMs ?? 0,
        }),
      );
    } else {
      const status = w.status === 'timeout' ? 'timeout' : 'lost';
      listener.failed(new ConnectError(w.error ?? `work ${id} was ${w.status}`, Code.Aborted, { [WORK_STATUS_KEY]: status }));
    }
    return w.agent;
  }

  /** An agent's stream ended: its work waits for it to come back, counted from when it was last heard of. */
  agentGone(agent: string, lastSeen: number): void {
    for (const p of this.pending.values()) if (p.agent === agent) p.goneSince ??= lastSeen;
  }

  /** The caller stopped waiting; returns the work so the agent can be told to cancel it. */
  cancel(id: string, now: number): { agent: string } | undefined {
    const p = this.pending.get(id);
    if (!p) return undefined;
    this.pending.delete(id);
    this.storeOutput([p]);
    this.repo.finishWork(id, { status: 'cancelled', error: 'the caller went away' }, now);
    this.onFinished(p.kind, 'cancelled');
    return { agent: p.agent };
  }

  /** Fails work past its deadline, and work whose agent has been gone longer than `graceMs`. */
  sweep(now: number, graceMs: number): void {
    for (const p of this.pending.values()) {
      if (p.deadline !== undefined && now > p.deadline) {
        this.settle(p, 'timeout', `no result from agent ${p.agent} before its deadline`, Code.DeadlineExceeded, now);
      } else if (p.goneSince !== undefined && now - p.goneSince > graceMs) {
        this.settle(
          p,
          'lost',
          `agent ${p.agent} went away while running it and did not come back within ${formatDuration(graceMs)}`,
          Code.Unavailable,
          now,
        );
      }
    }
  }

  /**
   * Adds the output that came since the last flush to the kept tails in the store, in one write (called each sweep,
   * so the dashboard follows running work within a second, and before work ends). The tail is for people to read: a
   * store that refuses it is logged, the work goes on.
   */
  flushOutput(): void {
    this.storeOutput(this.pending.values());
  }

  private storeOutput(works: Iterable<PendingWork>): void {
    const chunks: WorkOutputChunk[] = [];
    for (const p of works) {
      if (p.unstored) chunks.push(p.unstored);
      p.unstored = undefined;
    }
    try {
      this.repo.appendWorkOutput(chunks);
    } catch (err) {
      this.log('warn', `the output of ${chunks.length} piece(s) of work could not be kept: ${(err as Error).message}`);
    }
  }

  /** How much work waits for a result. */
  get size(): number {
    return this.pending.size;
  }

  private keepUnheard(id: string, output: WorkOutput[]): void {
    this.unheardFinished.set(id, output);
    for (const old of this.unheardFinished.keys()) {
      if (this.unheardFinished.size <= UNHEARD_FINISHED_WORKS) break;
      this.unheardFinished.delete(old);
    }
  }

  private settle(p: PendingWork, status: 'lost' | 'timeout', why: string, code: Code, now: number): void {
    this.pending.delete(p.id);
    this.storeOutput([p]);
    if (!p.listener && p.unheard) this.keepUnheard(p.id, p.unheard.list());
    this.repo.finishWork(p.id, { status, error: why }, now);
    this.onFinished(p.kind, status);
    // A command's text stays out of the log (it may hold a secret; agent_work keeps it).
    this.log('warn', `work ${p.id} (${p.kind === 'command' ? 'a command' : p.what}) ${status}: ${why}`);
    // The status rides in the error's metadata, so clients tell the master's verdict on the work from a broken link.
    p.listener?.failed(new ConnectError(why, code, { [WORK_STATUS_KEY]: status }));
  }
}

/** A chunk as the kept tail holds it: a command's text as printed, a task's log line on a line of its own. */
function outputText(o: WorkOutput): string {
  if (o.stream !== WorkOutput_Stream.LOG) return o.text;
  const level = o.level && o.level !== 'info' ? `[${o.level}] ` : '';
  return `${level}${o.text}${o.text.endsWith('\n') ? '' : '\n'}`;
}
