import { isAbsolute, resolve } from 'node:path';
import { type ModuleCallContext, type ProcessResult, SlothError } from '@sloth/core';

/** How long one terraform command may run unless the call says otherwise (an apply that creates a database). */
export const TERRAFORM_TIMEOUT_MS = 60 * 60_000;

/** What every terraform function returns: the command's outcome, as the seed's `if not r.success` expects. */
export interface CliResult {
  success: boolean;
  exit_code: number | null;
  stdout: string;
  stderr: string;
  /** The last lines terraform printed on a failure (its error, with the .tf file and line). */
  error?: string | undefined;
}

/** The terraform to run: `SLOTH_TERRAFORM_BIN` in the task's environment when set, else `terraform` from PATH. */
const terraformOf = (ctx: ModuleCallContext) => ctx.env.SLOTH_TERRAFORM_BIN || 'terraform';

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
  const raw = await ctx.host.run([terraformOf(ctx), ...args], {
    cwd: dir,
    env: { ...ctx.env, TF_IN_AUTOMATION: '1', TF_INPUT: '0' },
    timeoutMs: options.timeoutMs ?? TERRAFORM_TIMEOUT_MS,
    onLine: options.quiet
      ? undefined
      : (stream, line) => ctx.log.log(stream === 'stderr' ? 'warn' : 'info', options.json ? jsonMessage(line) : line),
  });
  if (raw.spawnError === 'ENOENT') {
    throw new SlothError('not_found', `${ctx.fn}: the terraform CLI is not on PATH`, {
      hint: 'install it (https://developer.hashicorp.com/terraform/install), or set SLOTH_TERRAFORM_BIN to its path',
    });
  }
  if (raw.aborted) throw new SlothError('aborted', `${ctx.fn}: terraform ${args[0]} was stopped with the task`);
  if (raw.timedOut) {
    throw new SlothError('timeout', `${ctx.fn}: terraform ${args[0]} did not finish in time`, {
      hint: "raise the call's timeout, or look at what terraform was waiting for in the task log",
    });
  }
  const success = raw.exitCode === 0;
  const result: CliResult & { raw: ProcessResult } = {
    success,
    exit_code: raw.exitCode,
    stdout: raw.stdout,
    stderr: raw.stderr,
    raw,
  };
  if (!success) result.error = lastLines(raw.stderr || raw.stdout);
  return result;
}

/** terraform's error block: the lines from its last "Error:" on (file and line included), or the last lines. */
export function lastLines(text: string): string {
  const lines = text
    .replace(/[│╷╵]/g, '')
    .split('\n')
    .map((l) => l.trimEnd());
  const start = lines.findLastIndex((l) => /^\s*Error: /.test(l));
  const picked = start >= 0 ? lines.slice(start) : lines.slice(-8);
  return picked
    .filter((l) => l.trim() !== '')
    .map((l) => l.trim())
    .join('\n');
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
