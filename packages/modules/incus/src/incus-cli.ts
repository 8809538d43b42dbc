import { type ModuleCallContext, runTool, SlothError, type ToolResult, type ToolSpec, toolJson, toolOutcome } from '@sloth/core';

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
  return (await instanceInfo(ctx, name))?.status;
}

/** Runs a changing `incus ARGS`; a failure is an error with incus's message, naming `what`. */
export async function incusChange(ctx: ModuleCallContext, args: readonly string[], what: string) {
  const r = await incus(ctx, args);
  if (!r.success) throw new SlothError('task_failed', `${ctx.fn}: incus ${what} failed: ${r.error}`);
  return { ...r, changed: true, check_mode: false };
}

/** `incus KIND list --format json` (network, profile, storage), or, with `instance`, its snapshots. */
export async function incusList<T extends { name: string }>(ctx: ModuleCallContext, args: readonly string[]): Promise<T[]> {
  const r = await incus(ctx, [...args, '--format', 'json'], { quiet: true });
  return toolJson(ctx, INCUS, args.join(' '), r) as T[];
}

/** An instance as `incus list --format json` shows it (the fields the module reads). */
export interface InstanceInfo {
  name: string;
  status: string;
  profiles?: string[];
  expanded_devices?: Record<string, Record<string, string>>;
}

/** One instance, or undefined when there is none. */
export async function instanceInfo(ctx: ModuleCallContext, name: string): Promise<InstanceInfo | undefined> {
  return (await incusList<InstanceInfo>(ctx, ['list', `^${name}$`])).find((i) => i.name === name);
}
