import { SlothError } from './errors.js';
import type { ModuleCallContext } from './module-sdk.js';

/**
 * Makes one module call on an agent through the run's master (`target = "agent"`, an infra_test check's agent
 * argument) and returns its value. `args` must be plain data; errors say why it cannot go (inside a goroutine, no
 * master), and a failure there comes back as a SlothError ending with `(on AGENT)`.
 */
export async function callOnAgent(
  ctx: ModuleCallContext,
  call: { agent: string; module: string; fn: string; args: unknown[] },
): Promise<unknown> {
  if (ctx.services?.insideGoroutine) {
    throw new SlothError('usage', `${ctx.fn}: running it on agent '${call.agent}' is not possible inside a goroutine`, {
      hint: 'make the call from the task itself, or delegate the whole task with :delegate_to(...)',
    });
  }
  const delegate = ctx.services?.delegate;
  if (!delegate?.runCall) {
    throw new SlothError('usage', `${ctx.fn}: running it on agent '${call.agent}' needs a master, but this run has none`, {
      hint: 'run it with `workflow run --master HOST:PORT` (or set $SLOTH_MASTER), or leave the agent out to act on this machine',
    });
  }
  return (await delegate.runCall({ ...call, ctx })).value;
}
