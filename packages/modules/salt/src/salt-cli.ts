import { durationField, type ModuleCallContext, runTool, type ToolResult, type ToolSpec, toolOutcome, z } from '@sloth/core';

/** salt-call, for the machine the task runs on (`local = true`, the default). */
export const SALT_CALL: ToolSpec = {
  command: 'salt-call',
  envVar: 'SLOTH_SALT_CALL_BIN',
  install: 'https://docs.saltproject.io/salt/install-guide/en/latest/',
};
/** salt, for minions of a master (`target`). */
export const SALT: ToolSpec = { command: 'salt', envVar: 'SLOTH_SALT_BIN', install: SALT_CALL.install };

/** Options of every salt function: run locally (salt-call --local) or on a master's target, and a time limit. */
export const runOptions = {
  target: z.string().min(1).optional(),
  local: z.boolean().optional(),
  timeout: durationField.optional(),
};
export type RunOptions = { target?: string | undefined; local?: boolean | undefined; timeout?: number | undefined };

/** A salt argument: key=value for keyword arguments; tables as JSON (salt reads YAML, of which JSON is a part). */
export const saltArg = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

/**
 * Runs `salt-call --local --out json FUN ARGS` (or `salt --static --out json TARGET FUN ARGS` when a target is given),
 * streamed to the task log (stderr: salt's own log lines).
 */
export async function salt(ctx: ModuleCallContext, o: RunOptions, fun: string, args: string[]): Promise<ToolResult> {
  const viaMaster = o.target !== undefined && o.local !== true;
  const tool = viaMaster ? SALT : SALT_CALL;
  const argv = viaMaster
    ? ['--static', '--out', 'json', o.target as string, fun, ...args]
    : [...(o.local === false ? [] : ['--local']), '--retcode-passthrough', '--out', 'json', fun, ...args];
  return toolOutcome(
    await runTool(ctx, tool, argv, { timeoutMs: o.timeout, quiet: true, label: fun, errorStart: /^\[ERROR|^Error|^error/ }),
  );
}

/** The tool a call goes through, for messages. */
export const toolOf = (o: RunOptions) => (o.target !== undefined && o.local !== true ? SALT : SALT_CALL);
