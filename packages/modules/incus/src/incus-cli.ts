import { type ModuleCallContext, runTool, type ToolResult, type ToolSpec, toolJson, toolOutcome } from '@sloth/core';

/** The incus CLI: `SLOTH_INCUS_BIN` in the task's environment when set, else `incus` from PATH. */
export const INCUS: ToolSpec = {
  command: 'incus',
  envVar: 'SLOTH_INCUS_BIN',
  install: 'https://linuxcontainers.org/incus/docs/main/installing/',
};

/** Runs `incus ARGS`, streamed to the task log unless quiet. */
export async function incus(
  ctx: ModuleCallContext,
  args: readonly string[],
  options: { quiet?: boolean; timeoutMs?: number | undefined } = {},
): Promise<ToolResult> {
  return toolOutcome(await runTool(ctx, INCUS, args, { ...options, errorStart: /^Error/ }));
}

/** An instance's status ("Running", "Stopped"...) from incus list --format json, or undefined when there is none. */
export async function instanceStatus(ctx: ModuleCallContext, name: string): Promise<string | undefined> {
  const r = await incus(ctx, ['list', `^${name}$`, '--format', 'json'], { quiet: true });
  const all = toolJson(ctx, INCUS, 'list', r) as { name: string; status: string }[];
  return all.find((i) => i.name === name)?.status;
}
