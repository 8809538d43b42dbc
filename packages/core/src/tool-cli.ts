// Running an infrastructure tool's CLI (terraform, docker, kubectl, helm, ...) for a module: one way to find the
// binary, stream its output, stop it with the task, and turn what it printed into a result a workflow can branch on.
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { SlothError } from './errors.js';
import type { ModuleCallContext } from './module-sdk.js';
import type { ProcessResult } from './process-runner.js';

/** A CLI a module wraps: its command, the variable that overrides it, and where to get it. */
export interface ToolSpec {
  /** The command on PATH ("docker"); also the tool's name in messages. */
  command: string;
  /** The environment variable naming another binary ("SLOTH_DOCKER_BIN"). */
  envVar: string;
  /** Where to get it, for the missing-binary hint. */
  install: string;
}

/** What every wrapped command returns: the command's outcome, as a workflow's `if not r.success` expects. */
export interface ToolResult {
  success: boolean;
  exit_code: number | null;
  stdout: string;
  stderr: string;
  /** The last lines the tool printed on a failure (its own error message). */
  error?: string | undefined;
}

/** Options of one run of a tool. */
export interface ToolRunOptions {
  cwd?: string | undefined;
  /** Added to the task's environment. */
  env?: Record<string, string> | undefined;
  stdin?: string | undefined;
  timeoutMs?: number | undefined;
  /** Output not streamed to the task log (JSON read by the module). */
  quiet?: boolean | undefined;
  /** How a line is shown in the log (terraform's -json lines: their message). */
  formatLine?: ((line: string) => string) | undefined;
  /** Where a failure's message starts: the last line matching it and what follows (default: the last lines). */
  errorStart?: RegExp | undefined;
  /** What the command is called in messages (default: its first argument, "pull" of `docker pull`). */
  label?: string | undefined;
}

/** How long one tool command may run unless the call says otherwise (an apply that creates a database). */
export const TOOL_TIMEOUT_MS = 60 * 60_000;

/** The binary to run: the tool's variable in the task's environment when set, else its command from PATH. */
export const toolBinary = (ctx: ModuleCallContext, tool: ToolSpec) => ctx.env[tool.envVar] || tool.command;

/** Where the tool's binary is (its variable's path, or the first on PATH), or undefined when it is not found. */
export function findTool(tool: ToolSpec, env: Readonly<Record<string, string | undefined>>): string | undefined {
  const runnable = (path: string) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  const given = env[tool.envVar];
  if (given)
    return (isAbsolute(given) ? runnable(given) : false)
      ? given
      : findTool({ ...tool, envVar: '', command: given }, { PATH: env.PATH });
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && runnable(join(dir, tool.command))) return join(dir, tool.command);
  }
  return undefined;
}

/**
 * Runs `TOOL ARGS` (an argument list, never a shell line), its lines streamed to the task log live (stderr as
 * warnings), in its own process group killed on timeout or when the task stops. A tool that cannot be started, a
 * timeout and a stop are errors; a failing command is a result with success = false and `error` (its last lines), so
 * a workflow can branch on it.
 */
export async function runTool(
  ctx: ModuleCallContext,
  tool: ToolSpec,
  args: readonly string[],
  options: ToolRunOptions = {},
): Promise<ToolResult & { raw: ProcessResult }> {
  const format = options.formatLine ?? ((l: string) => l);
  const label = options.label ?? args[0] ?? '';
  const raw = await ctx.host.run([toolBinary(ctx, tool), ...args], {
    cwd: options.cwd,
    env: options.env ? { ...ctx.env, ...options.env } : undefined,
    stdin: options.stdin,
    timeoutMs: options.timeoutMs ?? TOOL_TIMEOUT_MS,
    onLine: options.quiet ? undefined : (stream, line) => ctx.log.log(stream === 'stderr' ? 'warn' : 'info', format(line)),
  });
  if (raw.spawnError === 'ENOENT' || raw.spawnError === 'EACCES') {
    const where = ctx.env[tool.envVar] ? `${tool.envVar}=${ctx.env[tool.envVar]} cannot be run` : 'is not on PATH';
    throw new SlothError('not_found', `${ctx.fn}: the ${tool.command} CLI ${where}`, {
      hint: `install it (${tool.install}), or set ${tool.envVar} to its path`,
    });
  }
  if (raw.aborted) throw new SlothError('aborted', `${ctx.fn}: ${tool.command} ${label} was stopped with the task`);
  if (raw.timedOut) {
    throw new SlothError('timeout', `${ctx.fn}: ${tool.command} ${label} did not finish in time (it was killed)`, {
      hint: `raise the call's timeout, or look at what ${tool.command} was waiting for in the task log`,
    });
  }
  const success = raw.exitCode === 0;
  const result: ToolResult & { raw: ProcessResult } = {
    success,
    exit_code: raw.exitCode,
    stdout: raw.stdout,
    stderr: raw.stderr,
    raw,
  };
  if (!success) result.error = lastLines(raw.stderr || raw.stdout, options.errorStart);
  return result;
}

/** A tool's error block: from the last line matching `start` on, or the last lines; box-drawing borders dropped. */
export function lastLines(text: string, start?: RegExp): string {
  const lines = text
    .replace(/[│╷╵]/g, '')
    .split('\n')
    .map((l) => l.trimEnd());
  const from = start ? lines.findLastIndex((l) => start.test(l)) : -1;
  const picked = from >= 0 ? lines.slice(from) : lines.slice(-8);
  return picked
    .filter((l) => l.trim() !== '')
    .map((l) => l.trim())
    .join('\n');
}

/**
 * What a function returns when it runs no command (nothing to do, or check mode): a success with `changed` as found
 * or predicted, and `check_mode`.
 */
export function notRun(ctx: ModuleCallContext, changed: boolean, fields: Record<string, unknown> = {}) {
  return { success: true, exit_code: 0, stdout: '', stderr: '', changed, check_mode: ctx.checkMode, ...fields };
}

/** A result without the raw process result (what goes back to Lua). */
export const toolOutcome = <T extends { raw?: unknown }>({ raw: _, ...rest }: T): Omit<T, 'raw'> => rest;

/**
 * The JSON a tool printed where JSON was asked for; a failed command or output that is not JSON is an error naming
 * the command and showing what it printed instead.
 */
export function toolJson(ctx: ModuleCallContext, tool: ToolSpec, what: string, r: ToolResult): unknown {
  if (!r.success) throw new SlothError('task_failed', `${ctx.fn}: ${tool.command} ${what} failed: ${r.error}`);
  try {
    return JSON.parse(r.stdout);
  } catch {
    const shown = r.stdout.trim().split('\n').slice(0, 3).join('\n').slice(0, 300);
    throw new SlothError('task_failed', `${ctx.fn}: ${tool.command} ${what} printed no JSON: ${shown || '(nothing)'}`, {
      hint: `check that ${toolBinary(ctx, tool)} is the real ${tool.command} CLI, and its version`,
    });
  }
}
