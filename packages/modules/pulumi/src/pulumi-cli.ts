import { isAbsolute, resolve } from 'node:path';
import {
  durationField,
  luaTable,
  type ModuleCallContext,
  runTool,
  SlothError,
  type ToolResult,
  type ToolSpec,
  toolOutcome,
  z,
} from '@sloth/core';

/** The pulumi CLI: `SLOTH_PULUMI_BIN` in the task's environment when set, else `pulumi` from PATH. */
export const PULUMI: ToolSpec = {
  command: 'pulumi',
  envVar: 'SLOTH_PULUMI_BIN',
  install: 'https://www.pulumi.com/docs/install/',
};

/** Options every pulumi function takes: the project directory, the stack, config values and a time limit. */
export const projectOptions = {
  cwd: z.string().min(1).optional(),
  stack: z.string().min(1).optional(),
  config: luaTable(z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]))).optional(),
  timeout: durationField.optional(),
};
export type ProjectOptions = {
  cwd?: string | undefined;
  stack?: string | undefined;
  config?: Record<string, string | number | boolean> | undefined;
  timeout?: number | undefined;
};

/**
 * Runs `pulumi ARGS` in the project directory for the stack, never prompting (--non-interactive), streamed to the task
 * log unless quiet. `withConfig` adds a --config for each config value (up, preview).
 */
export async function pulumi(
  ctx: ModuleCallContext,
  o: ProjectOptions,
  args: readonly string[],
  options: { quiet?: boolean; withConfig?: boolean } = {},
): Promise<ToolResult> {
  const dir = o.cwd === undefined ? ctx.workdir : isAbsolute(o.cwd) ? o.cwd : resolve(ctx.workdir, o.cwd);
  if ((await ctx.host.stat(dir))?.type !== 'directory') {
    throw new SlothError('not_found', `${ctx.fn}: the directory ${dir} does not exist`, {
      hint: 'cwd names the Pulumi project directory (relative: to the task workdir)',
    });
  }
  const extra = ['--non-interactive', ...(o.stack ? ['--stack', o.stack] : [])];
  if (options.withConfig) {
    for (const k of Object.keys(o.config ?? {}).sort()) extra.push('--config', `${k}=${String(o.config?.[k])}`);
  }
  return toolOutcome(
    await runTool(ctx, PULUMI, [...args, ...extra], {
      cwd: dir,
      env: { PULUMI_SKIP_UPDATE_CHECK: 'true' },
      quiet: options.quiet,
      timeoutMs: o.timeout,
      errorStart: /^error: /,
    }),
  );
}
