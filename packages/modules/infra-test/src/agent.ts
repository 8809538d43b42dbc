import { callOnAgent, type ModuleCallContext, SlothError } from '@sloth/core/internal';
import type { Verdict } from './check.js';

/**
 * Runs a check on an agent (its optional last argument) through the run's master: the verdict is the agent's, with
 * "(on AGENT)" at the end of a failure; not being able to ask it (no master, an unknown agent) is an error.
 */
export async function checkOnAgent(ctx: ModuleCallContext, check: string, args: unknown[], agent: string): Promise<Verdict> {
  const qualified = ctx.fn;
  try {
    await callOnAgent(ctx, { agent, module: qualified.slice(0, qualified.lastIndexOf('.')), fn: check, args });
    return undefined;
  } catch (err) {
    // A failed check there raises task_failed with its message; other errors are about reaching it.
    if (err instanceof SlothError && err.code === 'task_failed' && err.message.startsWith(`${qualified}: `)) {
      return err.message.slice(qualified.length + 2);
    }
    throw err;
  }
}
