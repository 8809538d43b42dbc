import { errorCodeOf, errorMessage, SlothError } from './errors.js';
import type { HostBinding } from './host.js';
import type { ResourceOutcome } from './resource.js';
import type { RunObserver } from './run-events.js';
import type { RemoteHosts } from './run-services.js';
import type { TaskLogger } from './task-logger.js';
import type { AgentTaskResult, TaskBody, TaskContext, TaskOutcome, TaskSpec } from './workflow-model.js';

/** True when the task's body runs on agents. */
export function isDelegated(task: TaskSpec): boolean {
  return (task.delegateTo !== undefined && task.delegateTo.length > 0) || task.chooseAgents !== undefined;
}

/**
 * The body of a delegated task, for one execution of it (all its attempts): it runs on each of its agents at once
 * through `services.delegate`. Conditions, hooks, retries and the timeout stay with the engine that called it; a retry
 * runs again only on the agents that failed (a `replaceAgents` task: on others instead, when others qualify). One
 * agent: its output is the task's; several: outputs keyed by agent.
 */
export function delegatedBody(task: TaskSpec, runId: string, emit: RunObserver): TaskBody {
  let agents: string[] | undefined;
  const done = new Map<string, AgentTaskResult>();
  /** Every agent a replacing task was sent to: a replacement is never one of them. */
  const tried = new Set<string>();
  return async (ctx: TaskContext): Promise<TaskOutcome> => {
    const remote = ctx.services?.remote;
    if (agents === undefined) {
      agents = remote ? remote.select(await chosenAgents(task, ctx)) : await chosenAgents(task, ctx);
      for (const a of agents) tried.add(a);
    } else if (task.replaceAgents) {
      // A retry: agents where the task failed give way to others, when there are others.
      agents = await replaceAgents(task, ctx, agents, done, tried, (a) => done.get(a)?.status === 'failed', 'failed there');
    }
    if (agents.length === 0) {
      ctx.log.log('info', `no host left to run on: every one it is delegated to is outside --limit`);
      return { success: true, output: {}, agents: {} };
    }
    await runOn(task, runId, emit, ctx, agents, done);
    // Agents that went away (or were inactive) while a one/count task ran are replaced at once, until none is left.
    for (let round = 0; task.replaceAgents && round < MAX_REPLACEMENT_ROUNDS; round++) {
      const before: string[] = agents;
      agents = await replaceAgents(task, ctx, before, done, tried, (a) => agentWentAway(done.get(a)), 'went away');
      if (agents === before) break;
      await runOn(task, runId, emit, ctx, agents, done);
    }
    const results = Object.fromEntries(agents.map((a) => [a, done.get(a) as AgentTaskResult]));
    const failed = agents.filter((a) => results[a]?.status !== 'success');
    const output =
      agents.length === 1
        ? results[agents[0] as string]?.output
        : Object.fromEntries(agents.map((a) => [a, results[a]?.output ?? {}]));
    if (failed.length === 0) return { success: true, output, agents: results };
    const message = failed.map((a) => `on ${a}: ${results[a]?.error}`).join('; ');
    // One code when every failing agent failed alike; mixed failures are the task's own (and may be retried).
    const codes = new Set(failed.map((a) => results[a]?.errorCode ?? 'task_failed'));
    const errorCode = codes.size === 1 ? [...codes][0] : 'task_failed';
    return { success: false, message: `failed ${message}`, errorCode, output, agents: results };
  };
}

/** How many times a task replaces agents that went away within one attempt (each round excludes every agent tried). */
const MAX_REPLACEMENT_ROUNDS = 8;

/** The agent never ran the task to its end: it went away, was inactive, or the master lost it. */
function agentWentAway(result: AgentTaskResult | undefined): boolean {
  return result?.status === 'failed' && (result.errorCode === 'unavailable' || result.errorCode === 'conflict');
}

/**
 * `agents` with those matching `replace` swapped for as many others the chooser picks (none tried before); the same
 * array when nothing matched or no other agent qualifies (the failures stand, and the log says why).
 */
async function replaceAgents(
  task: TaskSpec,
  ctx: TaskContext,
  agents: string[],
  done: Map<string, AgentTaskResult>,
  tried: Set<string>,
  replace: (agent: string) => boolean,
  why: string,
): Promise<string[]> {
  const out = agents.filter(replace);
  if (out.length === 0 || !task.chooseAgents) return agents;
  let others: string[];
  try {
    others = (await task.chooseAgents(ctx, { count: out.length, exclude: [...tried] })).filter((a) => !tried.has(a));
  } catch (err) {
    if (ctx.signal.aborted) throw err;
    ctx.log.log('warn', `no other agent to take over from ${out.join(', ')} (${why}): ${errorMessage(err)}`);
    return agents;
  }
  if (others.length === 0) return agents;
  const taken = out.slice(0, others.length);
  taken.forEach((agent, i) => {
    const error = done.get(agent)?.error?.split('\n')[0] ?? 'no result';
    ctx.log.log('warn', `agent ${agent} ${why} (${error}): task goes to ${others[i]} instead`);
    done.delete(agent);
  });
  for (const a of others) tried.add(a);
  return [...agents.filter((a) => !taken.includes(a)), ...others];
}

/** Runs the task on each of `agents` not done with it yet, at once; records each agent's result in `done`. */
async function runOn(
  task: TaskSpec,
  runId: string,
  emit: RunObserver,
  ctx: TaskContext,
  agents: string[],
  done: Map<string, AgentTaskResult>,
): Promise<void> {
  const remote = ctx.services?.remote;
  const pending = agents.filter((agent) => done.get(agent)?.status !== 'success');
  const direct = remote ? pending.filter((a) => remote.has(a)) : [];
  const viaMaster = pending.filter((a) => !direct.includes(a));
  const delegate = ctx.services?.delegate;
  if (viaMaster.length > 0 && !delegate) {
    throw new SlothError(
      'usage',
      `task '${task.name}' is delegated to ${viaMaster.join(', ')}, but this run has no master to delegate to`,
      {
        location: task.location,
        hint: 'run it with `workflow run --master ADDR`, name an SSH host (ssh://user@host, or a host of `-i inventory.yaml`), or remove :delegate_to(...)',
      },
    );
  }
  const started = performance.now();
  let sent: Promise<TaskOutcome>[] = [];
  if (viaMaster.length > 0 && delegate) {
    try {
      sent = delegate.runTasks({
        agents: viaMaster,
        ctx,
        logFor: (agent) => agentLogger(task.name, agent, runId, emit),
        timeoutMs: task.timeoutMs,
      });
    } catch (err) {
      sent = viaMaster.map(() => Promise.reject(err));
    }
  }
  const limit = concurrency(remote?.forks ?? DEFAULT_FORKS);
  const outcomeOf = (agent: string): Promise<TaskOutcome> => {
    if (remote && direct.includes(agent)) {
      return limit(() => runOnRemote(task, agent, remote, { ...ctx, log: agentLogger(task.name, agent, runId, emit) }));
    }
    return sent[viaMaster.indexOf(agent)] as Promise<TaskOutcome>;
  };
  await Promise.all(
    pending.map(async (agent) => {
      try {
        const outcome = await outcomeOf(agent);
        const resources = outcome.resources ?? [];
        // A host reached over SSH reported its resources as they converged, with its name.
        if (!direct.includes(agent)) for (const resource of resources) ctx.reportResource({ ...resource, host: agent });
        done.set(agent, {
          ...(resources.length > 0 ? { changed: resources.some((r) => r.changed) } : {}),
          status: outcome.success ? 'success' : 'failed',
          durationMs: performance.now() - started,
          output: outcome.output,
          error: outcome.success ? undefined : (outcome.message ?? 'the task returned false'),
          errorCode: outcome.success ? undefined : (outcome.errorCode ?? 'task_failed'),
        });
      } catch (err) {
        if (ctx.signal.aborted) throw err;
        done.set(agent, {
          status: 'failed',
          durationMs: performance.now() - started,
          error: errorMessage(err),
          errorCode: errorCodeOf(err),
        });
      }
    }),
  );
}

/** How many SSH hosts a fan-out reaches at once unless the run says (Ansible's forks). */
const DEFAULT_FORKS = 32;

/**
 * Runs the task's own body here, with its module calls acting on a host reached over SSH. What it converges is
 * reported as it happens (with the host's name) and also handed back in the outcome, for the host's `changed`.
 */
async function runOnRemote(task: TaskSpec, host: string, remote: RemoteHosts, ctx: TaskContext): Promise<TaskOutcome> {
  const resources: ResourceOutcome[] = [];
  const reportResource = (r: ResourceOutcome) => {
    resources.push(r);
    ctx.reportResource(r);
  };
  const hostFor = (binding: HostBinding) => remote.host(host, binding);
  const outcome = await task.body({ ...ctx, agent: host, hostFor, reportResource });
  return { ...(outcome ?? { success: true }), resources };
}

/** Runs at most `n` of the functions given to it at once. */
function concurrency(n: number): <T>(run: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async (run) => {
    if (active >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    active += 1;
    try {
      return await run();
    } finally {
      active -= 1;
      waiting.shift()?.();
    }
  };
}

/** The task's agents: its list, or what its chooser returns now (a name or a list). */
async function chosenAgents(task: TaskSpec, ctx: TaskContext): Promise<string[]> {
  if (task.delegateTo && task.delegateTo.length > 0) return [...new Set(task.delegateTo)];
  const chosen = task.chooseAgents ? await task.chooseAgents(ctx) : [];
  if (chosen.length === 0) {
    throw new SlothError('usage', `the delegate_to function of task '${task.name}' chose no agent`, {
      location: task.location,
      hint: 'return an agent name or a list of names',
    });
  }
  return [...new Set(chosen)];
}

function agentLogger(task: string, agent: string, runId: string, emit: RunObserver): TaskLogger {
  return {
    log: (level, message, fields, stream) =>
      emit({ type: 'task.log', runId, task, agent, level, message, fields, stream, at: Date.now() }),
  };
}
