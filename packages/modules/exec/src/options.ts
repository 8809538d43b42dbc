import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { durationField, luaTable, luaTypeName, type ModuleCallContext, SlothError, strictTable, z } from '@sloth/core';

// Lua numbers and booleans in env tables are meant as their text (PORT = 8080).
const envValue = z.union([z.string(), z.number(), z.boolean()], {
  error: (issue) => `expected a string, number or boolean, got ${luaTypeName(issue.input)}`,
});

const optionsShape = strictTable({
  workdir: z.string().optional(),
  cwd: z.string().optional(),
  env: z.record(z.string(), envValue).optional(),
  stdin: z.string().optional(),
  timeout: durationField.optional(),
  check_mode: z.boolean().optional(),
});

/** Schema of `exec.run`'s options table; an empty table may arrive as a list and means "no options". */
export const execOptionsSchema = luaTable(
  optionsShape,
  'expected a table of options like { timeout = "30s" }, got a list',
).optional();

export type ExecOptions = z.output<typeof optionsShape>;

/** Schema of the command: a shell command line, or an argv list run without a shell. */
export const commandSchema = z.union(
  [
    z.string().refine((s) => s.trim().length > 0, 'expected a command, got a blank string'),
    z.array(z.string()).min(1, 'expected a command, got an empty table'),
  ],
  { error: (issue) => describeBadCommand(issue.input) },
);

function describeBadCommand(input: unknown): string {
  if (Array.isArray(input)) {
    const bad = input.findIndex((v) => typeof v !== 'string');
    return `argv element #${bad + 1} must be a string, got ${luaTypeName(input[bad])}`;
  }
  if (input && typeof input === 'object') {
    return Object.keys(input).length === 0
      ? 'expected a command, got an empty table'
      : 'expected a command string or a list of strings, got a table with named keys';
  }
  return `expected a command string or a list of strings, got ${luaTypeName(input)}`;
}

export interface ResolvedOptions {
  cwd: string;
  env: Record<string, string>;
  stdin: string | undefined;
  timeoutMs: number | undefined;
  /** Skip it: check mode, and the call did not say it is safe to run (`check_mode = false`). */
  skip: boolean;
}

/** Turns user options into process options: workdir resolved, env merged over the task's, timeout parsed. */
export function resolveOptions(options: ExecOptions | undefined, ctx: ModuleCallContext): ResolvedOptions {
  const opts = options ?? {};
  const dir = opts.workdir ?? opts.cwd;
  const cwd = dir === undefined ? ctx.workdir : resolve(ctx.workdir, dir);
  const env: Record<string, string> = { ...ctx.env };
  for (const [key, value] of Object.entries(opts.env ?? {})) env[key] = String(value);
  return {
    cwd,
    env,
    stdin: opts.stdin,
    timeoutMs: opts.timeout,
    skip: ctx.checkMode && opts.check_mode !== false,
  };
}

/**
 * Throws the error that names a missing workdir. Called only when the process could not start: spawn says ENOENT for
 * a missing workdir too, which would read as "command not found" (checking before every spawn cost a file-system
 * round trip per command).
 */
export async function checkWorkdir(cwd: string, ctx: ModuleCallContext): Promise<void> {
  const isDir = await stat(cwd).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) {
    throw new SlothError('not_found', `${ctx.fn}: workdir '${cwd}' does not exist or is not a directory`, {
      hint: 'create it first (fs.mkdir) or fix the workdir option; relative paths resolve against the task workdir',
    });
  }
}
