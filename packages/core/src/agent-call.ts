import { SlothError } from './errors.js';
import type { ModuleCallContext } from './module-sdk.js';

/**
 * Makes one module call on an agent through the run's master (`target = "agent"`, an infra_test check's agent
 * argument) and returns its value; inside a goroutine, through the thread that started it. `args` must be plain
 * data; without a master it is an error, and a failure there comes back as a SlothError ending with `(on AGENT)`.
 */
export async function callOnAgent(
  ctx: ModuleCallContext,
  call: { agent: string; module: string; fn: string; args: unknown[] },
): Promise<unknown> {
  const forward = ctx.services?.forwardTarget;
  if (forward) return forward({ module: call.module, fn: call.fn, target: call.agent, args: call.args });
  const delegate = ctx.services?.delegate;
  if (!delegate?.runCall) {
    throw new SlothError('usage', `${ctx.fn}: running it on agent '${call.agent}' needs a master, but this run has none`, {
      hint: 'run it with `workflow run --master HOST:PORT` (or set $SLOTH_MASTER), or leave the agent out to act on this machine',
    });
  }
  return (await delegate.runCall({ ...call, ctx })).value;
}
