import { callOnAgent, type FunctionSpec, type ModuleCallContext, parseArgs, SlothError } from '@sloth/core/internal';
import { fromLua } from './lua-values.js';

/** A call's `target = "agent"`, and its arguments without it. */
export interface TargetedCall {
  agent: string;
  args: unknown[];
}

/**
 * Takes `target` out of the last options table that has one. A trailing `{ target = ... }` that the function does not
 * declare (`systemd.start("nginx", { target = "web" })`) is dropped with it.
 */
export function takeTarget(qualified: string, spec: FunctionSpec, raw: unknown[]): TargetedCall | undefined {
  for (let i = raw.length - 1; i >= 0; i--) {
    const table = raw[i];
    if (!isKeyedTable(table) || !('target' in table)) continue;
    const { target, ...rest } = table;
    if (typeof target !== 'string' || !(/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(target) || target.startsWith('ssh://'))) {
      throw new SlothError(
        'invalid_argument',
        `${qualified}: option 'target' must be an agent's name, an inventory host or ssh://user@host, got ${shown(target)}`,
        { hint: '`sloth-runner agent list` shows the agents; leave target out to act on this machine' },
      );
    }
    const args = raw.slice();
    if (Object.keys(rest).length === 0 && i >= spec.args.length) args.splice(i);
    else args[i] = rest;
    return { agent: target, args };
  }
  return undefined;
}

/**
 * Makes the call on its target: a host reached over SSH (the function runs here, acting there), or an agent through
 * the run's master. The arguments are checked here first (a mistake is reported at the caller's line before anything
 * travels); the resources it converged there count for the calling task.
 */
export async function callOnTarget(
  module: string,
  name: string,
  spec: FunctionSpec,
  call: TargetedCall,
  ctx: ModuleCallContext,
): Promise<unknown> {
  const parsed = parseArgs(module, name, spec, call.args);
  const forward = ctx.services?.forwardTarget;
  if (forward) {
    const args = call.args.map((a) => plainData(ctx.fn, fromLua(a)));
    return forward({ module, fn: name, target: call.agent, args });
  }
  const remote = ctx.services?.remote;
  if (remote?.has(call.agent)) {
    // What it changes there is that host's, also for modules that report their own resources (tool wrappers).
    const reportResource: typeof ctx.reportResource = (r) => ctx.reportResource({ ...r, host: r.host ?? call.agent });
    return spec.run(parsed as never, { ...ctx, host: remote.host(call.agent, ctx), reportResource });
  }
  if (call.agent.startsWith('ssh://')) {
    throw new SlothError('usage', `${ctx.fn}: this run cannot reach ${call.agent} over SSH`, {
      hint: 'ssh:// targets work in `workflow run`',
    });
  }
  const args = call.args.map((a) => plainData(ctx.fn, fromLua(a)));
  return callOnAgent(ctx, { agent: call.agent, module, fn: name, args });
}

function isKeyedTable(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Arguments travel as JSON: a function or a cyclic table cannot. */
function plainData(fn: string, value: unknown, seen = new Set<unknown>()): unknown {
  if (typeof value === 'function') {
    throw new SlothError('invalid_argument', `${fn}: a function cannot be sent to another machine (target)`, {
      hint: 'pass plain values, or delegate the whole task with :delegate_to(...)',
    });
  }
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) throw new SlothError('invalid_argument', `${fn}: a table that contains itself cannot be sent (target)`);
  seen.add(value);
  for (const v of Object.values(value)) plainData(fn, v, seen);
  seen.delete(value);
  return value;
}

function shown(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : value === null || value === undefined ? 'nil' : typeof value;
}
