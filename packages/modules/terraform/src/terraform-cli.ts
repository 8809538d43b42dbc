import { isAbsolute, resolve } from 'node:path';
import { type ModuleCallContext, type ProcessResult, runTool, SlothError, type ToolResult, type ToolSpec } from '@sloth/core';

/** What every terraform function returns: the command's outcome, as the seed's `if not r.success` expects. */
export type CliResult = ToolResult;

/** The terraform CLI: `SLOTH_TERRAFORM_BIN` in the task's environment when set, else `terraform` from PATH. */
export const TERRAFORM: ToolSpec = {
  command: 'terraform',
  envVar: 'SLOTH_TERRAFORM_BIN',
  install: 'https://developer.hashicorp.com/terraform/install',
};

/** terraform's error block starts at its last "Error:" (the .tf file and line follow). */
const ERROR_START = /^\s*Error: /;

/** A configuration directory: relative to the task workdir. */
export const workdirOf = (ctx: ModuleCallContext, dir: string | undefined) =>
  dir === undefined ? ctx.workdir : isAbsolute(dir) ? dir : resolve(ctx.workdir, dir);

/**
 * Runs `terraform ARGS` in `dir`, never asking for input, its lines streamed to the task log. A terraform that cannot
 * be started is an error; a failing command is a result with success = false (its error lines logged), so a workflow
 * can branch on it.
 */
export async function terraform(
  ctx: ModuleCallContext,
  dir: string,
  args: readonly string[],
  options: { quiet?: boolean; timeoutMs?: number | undefined; json?: boolean } = {},
): Promise<CliResult & { raw: ProcessResult }> {
  if ((await ctx.host.stat(dir))?.type !== 'directory') {
    throw new SlothError('not_found', `${ctx.fn}: the directory ${dir} does not exist`, {
      hint: 'workdir names the directory of the .tf files (relative: to the task workdir)',
    });
  }
  return runTool(ctx, TERRAFORM, args, {
    cwd: dir,
    env: { TF_IN_AUTOMATION: '1', TF_INPUT: '0' },
    timeoutMs: options.timeoutMs,
    quiet: options.quiet,
    formatLine: options.json ? jsonMessage : undefined,
    errorStart: ERROR_START,
  });
}

/** The `-var`/`-var-file` arguments of a call: strings as they are, other values as HCL (JSON is valid HCL there). */
export function varArgs(vars: Record<string, unknown> | undefined, varFile: string | undefined): string[] {
  const args = varFile !== undefined ? [`-var-file=${varFile}`] : [];
  for (const [k, v] of Object.entries(vars ?? {})) args.push('-var', `${k}=${typeof v === 'string' ? v : hclValue(v)}`);
  return args;
}

/** A value as an HCL expression: JSON, with template sequences escaped so `${x}` stays text. */
export function hclValue(value: unknown): string {
  return JSON.stringify(value ?? null)
    .replaceAll('${', '$${')
    .replaceAll('%{', '%%{');
}

/** The human message of one line of terraform's -json output (the line itself when it is not JSON). */
function jsonMessage(line: string): string {
  try {
    const m = (JSON.parse(line) as { '@message'?: unknown })['@message'];
    return typeof m === 'string' ? m : line;
  } catch {
    return line;
  }
}
