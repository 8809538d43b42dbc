import { acquireLease, describeHolder, type LeaseHolder, SlothError, type StackBinding } from '@sloth/core/internal';
import { leaseRepo } from './leases.js';
import type { Store } from './open-store.js';
import { type ExecutionRecord, type ExecutionStatus, type StackRecord, stackRepo } from './stack-repo.js';

/** How long a run's stack lease lives without renewal; a holder that hangs longer than this loses the stack. */
export const STACK_LEASE_TTL_MS = 30_000;

/** The lease that locks a stack for one run. */
export function stackLockName(stack: string): string {
  return `stack:${stack}`;
}

export interface BeginStackRunOptions {
  stack: string;
  workflow: string;
  /** How long to wait for another run's lock; 0 fails at once, naming the holder. */
  lockTimeoutMs?: number | undefined;
  /** Stops the wait for the lock (Ctrl-C). */
  signal?: AbortSignal | undefined;
  leaseTtlMs?: number | undefined;
  /** Called when a renewal finds the lease taken by someone else (this run hung past its TTL). */
  onLeaseLost?: ((message: string) => void) | undefined;
}

/** What a finished run recorded in its stack, for the run report. */
export interface StackRunSummary {
  stack: StackRecord;
  execution: ExecutionRecord;
  /** Every output of the stack after the run. */
  outputs: Record<string, unknown>;
  /** Resources registered by earlier runs and not by this one. */
  orphans: { type: string; name: string }[];
  /** Earlier executions found still 'running' with their holder gone, marked 'interrupted' by this run. */
  interrupted: ExecutionRecord[];
}

/** One run of a workflow against its stack: holds the stack's lease until `finish`. */
export class StackRun {
  private finished: StackRunSummary | undefined;

  constructor(
    private readonly store: Store,
    readonly stack: StackRecord,
    readonly execution: ExecutionRecord,
    readonly interrupted: ExecutionRecord[],
    private readonly lease: LeaseHolder,
    private readonly renewal: NodeJS.Timeout,
  ) {}

  /** What modules see as ctx.services.stack. */
  get binding(): StackBinding {
    return { id: this.stack.id, name: this.stack.name, executionId: this.execution.id };
  }

  /** Records the end of the run (status, task counts, error), reports orphans, releases the lock. Runs once. */
  finish(status: Exclude<ExecutionStatus, 'running'>, taskCounts: Record<string, number>, error?: string): StackRunSummary {
    if (this.finished) return this.finished;
    clearInterval(this.renewal);
    const repo = stackRepo(this.store);
    try {
      const execution = repo.finishExecution(this.execution.id, status, taskCounts, error);
      this.finished = {
        stack: repo.getStack(this.stack.name),
        execution,
        outputs: repo.outputs(this.stack.id),
        orphans: repo.orphans(this.stack.id, this.execution.id).map((r) => ({ type: r.type, name: r.name })),
        interrupted: this.interrupted,
      };
      return this.finished;
    } finally {
      leaseRepo(this.store).release(this.lease.name, this.lease.token);
    }
  }
}

/**
 * Starts a run of `workflow` against its stack: creates the stack on first use, takes its lease (renewed while the
 * run lasts), marks executions left 'running' by dead processes as interrupted, and records a new execution.
 */
export async function beginStackRun(store: Store, options: BeginStackRunOptions): Promise<StackRun> {
  const repo = stackRepo(store);
  const stack = repo.ensureStack(options.stack);
  const ttl = options.leaseTtlMs ?? STACK_LEASE_TTL_MS;
  const lease = await takeStackLock(store, options.stack, ttl, options.lockTimeoutMs ?? 0, options.signal);
  try {
    // We hold the lease now, so any execution of this stack still 'running' belongs to a process that lost it: dead.
    const interrupted = repo.markInterrupted(stack.id, undefined);
    const execution = repo.insertExecution(stack.id, options.workflow);
    const renewal = setInterval(
      () => {
        try {
          if (!leaseRepo(store).renew(lease, ttl)) {
            clearInterval(renewal);
            options.onLeaseLost?.(`lost the lock of stack '${options.stack}': another run took it after this one stalled`);
          }
        } catch {
          // A busy database delays one renewal; the next one (a third of the TTL later) retries.
        }
      },
      Math.max(10, Math.floor(ttl / 3)),
    );
    // The renewal must not keep a finished process alive.
    renewal.unref();
    return new StackRun(store, stack, execution, interrupted, lease, renewal);
  } catch (err) {
    leaseRepo(store).release(lease.name, lease.token);
    throw err;
  }
}

async function takeStackLock(
  store: Store,
  stack: string,
  ttl: number,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<LeaseHolder> {
  const name = stackLockName(stack);
  try {
    return await acquireLease(leaseRepo(store), name, ttl, timeoutMs, signal);
  } catch (err) {
    if (!(err instanceof SlothError) || err.code !== 'timeout') throw err;
    const holder = leaseRepo(store).holder(name);
    const waited = timeoutMs > 0 ? ` (waited ${Math.round(timeoutMs / 1000)}s)` : '';
    throw new SlothError(
      'timeout',
      `stack '${stack}' is locked by another run: ${holder ? describeHolder(holder) : 'a holder that just left'}${waited}`,
      {
        hint: `wait for that run to finish, or pass --lock-timeout 5m to wait for it; if that process is gone on another host: sloth-runner stack lock force-unlock ${stack}`,
      },
    );
  }
}
