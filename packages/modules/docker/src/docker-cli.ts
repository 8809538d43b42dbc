import {
  durationField,
  type ModuleCallContext,
  runTool,
  SlothError,
  type ToolResult,
  type ToolSpec,
  toolOutcome,
  z,
} from '@sloth/core';

/** The docker CLI: `SLOTH_DOCKER_BIN` in the task's environment when set, else `docker` from PATH. */
export const DOCKER: ToolSpec = {
  command: 'docker',
  envVar: 'SLOTH_DOCKER_BIN',
  install: 'https://docs.docker.com/engine/install/',
};

/** The option every docker function takes: how long the command may run. */
export const timeoutOption = { timeout: durationField.optional() };

/** Runs `docker ARGS`, streamed to the task log unless quiet; the result without the raw process result. */
export async function docker(
  ctx: ModuleCallContext,
  args: readonly string[],
  options: { quiet?: boolean; timeoutMs?: number | undefined; stdin?: string } = {},
): Promise<ToolResult> {
  return toolOutcome(await runTool(ctx, DOCKER, args, { ...options, errorStart: /^Error/ }));
}

/** Like docker(), but a failure is an error naming the command (for steps a function cannot go on without). */
export async function dockerOrFail(ctx: ModuleCallContext, args: readonly string[], quiet = false): Promise<ToolResult> {
  const r = await docker(ctx, args, { quiet });
  if (!r.success) throw new SlothError('task_failed', `${ctx.fn}: docker ${args[0]} failed: ${r.error}`);
  return r;
}

/** docker's answer for an object that does not exist ("No such container", "No such object", "not found"). */
export const isMissing = (r: ToolResult) => !r.success && /no such|not found/i.test(r.stderr);

/** `-e K=V` for each variable, sorted so the same table gives the same command. */
export const envArgs = (env: Record<string, string | number | boolean> | undefined) =>
  Object.keys(env ?? {})
    .sort()
    .flatMap((k) => ['-e', `${k}=${String(env?.[k])}`]);

/** A command given as a list or one string (split on spaces, no shell). */
export const commandField = z.union([z.string().min(1), z.array(z.string())]);
export const commandArgs = (command: string | string[] | undefined) =>
  command === undefined ? [] : typeof command === 'string' ? command.split(/\s+/).filter(Boolean) : command;
