import { errorCodeOf, errorMessage, SlothError } from './errors.js';
import type { RunObserver } from './run-events.js';
import type { TaskLogger } from './task-logger.js';
import type { AgentTaskResult, TaskBody, TaskContext, TaskOutcome, TaskSpec } from './workflow-model.js';

/** True when the task's body runs on agents. */
export function isDelegated(task: TaskSpec): boolean {
  return (task.delegateTo !== undefined && task.delegateTo.length > 0) || task.chooseAgents !== undefined;
}

/**
 * The body of a delegated task, for one execution of it (all its attempts): it runs on each of its agents at once
 * through `services.delegate`. Conditions, hooks, retries and the timeout stay with the engine that called it; a retry
 * runs again only on the agents that failed. One agent: its output is the task's; several: outputs keyed by agent.
 */
export function delegatedBody(task: TaskSpec, runId: string, emit: RunObserver): TaskBody {
  let agents: string[] | undefined;
  const done = new Map<string, AgentTaskResult>();
  return async (ctx: TaskContext): Promise<TaskOutcome> => {
    const delegate = ctx.services?.delegate;
    agents ??= await chosenAgents(task, ctx);
    if (!delegate) {
      throw new SlothError(
        'usage',
        `task '${task.name}' is delegated to ${agents.join(', ')}, but this run has no master to delegate to`,
        { location: task.location, hint: 'run it with `workflow run --master ADDR`, or remove :delegate_to(...)' },
      );
    }
    const pending = agents.filter((agent) => done.get(agent)?.status !== 'success');
    const started = performance.now();
    let outcomes: Promise<TaskOutcome>[];
    try {
      outcomes = delegate.runTasks({
        agents: pending,
        ctx,
        logFor: (agent) => agentLogger(task.name, agent, runId, emit),
        timeoutMs: task.timeoutMs,
      });
    } catch (err) {
      outcomes = pending.map(() => Promise.reject(err));
    }
    await Promise.all(
      pending.map(async (agent, i) => {
        try {
          const outcome = await (outcomes[i] as Promise<TaskOutcome>);
          const resources = outcome.resources ?? [];
          for (const resource of resources) ctx.reportResource({ ...resource, host: agent });
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
