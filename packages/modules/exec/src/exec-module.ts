import { type AbortCause, abortError, arg, defineModule, fn, type ModuleCallContext, SlothError } from '@sloth/core/internal';
import { checkWorkdir, commandSchema, execOptionsSchema, resolveOptions } from './options.js';
import { displayCommand, SKIPPED_IN_CHECK_MODE, toExecResult } from './result.js';

const run = fn({
  doc:
    'Runs a command and waits for it: a string runs with /bin/sh -c, a list runs that program directly (no shell). ' +
    'Output streams live to the task log (stdout as info, stderr as warn). A failing command does not raise: check `success`. ' +
    'In check mode (`workflow run --check`) the command is not run (its effect is unknown) and the result has `skipped = true`, ' +
    'unless the call says it only reads (`check_mode = false`).',
  args: [
    arg('cmd', commandSchema, 'a shell command line, or a list like { "git", "clone", url }'),
    arg(
      'opts',
      execOptionsSchema,
      '{ workdir (alias cwd), env = { NAME = value } merged over the task env, stdin = text, timeout = "30s" or seconds, check_mode = false (run it in check mode too: a read-only command) }',
    ),
  ],
  returns:
    '{ success: boolean, exit_code: integer, stdout: string, stderr: string, duration_ms: integer, timed_out: boolean, ' +
    'error: string|nil (one line: exit code, signal or timeout, and the last stderr line), skipped: true|nil (not run: check mode) }',
  examples: [
    'local r = exec.run("make build", { workdir = "app", timeout = "10m" })\nif not r.success then error(r.error) end',
    'local r = exec.run({ "git", "rev-parse", "HEAD" })\nlog.info("commit " .. r.stdout)',
    'local r = exec.run("psql -f -", { stdin = sql, env = { PGHOST = "db" } })',
    'local head = exec.run("git rev-parse HEAD", { check_mode = false }) -- read-only: runs in --check too',
  ],
  run: async ([cmd, opts], ctx) => {
    const o = resolveOptions(opts, ctx);
    if (o.skip) {
      ctx.log.log(
        'info',
        `skipped (check mode): \`${displayCommand(cmd)}\` (pass check_mode = false to run a read-only command)`,
      );
      return { ...SKIPPED_IN_CHECK_MODE };
    }
    // Through the task's host: it runs as the task's user and is killed when the task stops.
    const r = await ctx.host.run(cmd, {
      cwd: o.cwd,
      env: o.env,
      stdin: o.stdin,
      timeoutMs: o.timeoutMs,
      onLine: (stream, line) => ctx.log.log(stream === 'stderr' ? 'warn' : 'info', line, undefined, stream),
    });
    // A stopped task must not carry on with its next step as if this command had merely failed.
    if (r.aborted) throw stoppedError(ctx, cmd);
    if (r.spawnError !== undefined) await checkWorkdir(o.cwd, ctx);
    return toExecResult(cmd, r, o.timeoutMs);
  },
});

function stoppedError(ctx: ModuleCallContext, cmd: string | readonly string[]): SlothError {
  const cause = ctx.signal.reason as AbortCause | undefined;
  if (cause && (cause.kind === 'timeout' || cause.kind === 'run')) return abortError(cause);
  return new SlothError('aborted', `${ctx.fn}: command \`${displayCommand(cmd)}\` was stopped because the task was cancelled`);
}

/** The `exec` module: run commands from Lua. */
export const execModule = defineModule({
  name: 'exec',
  importFrom: import.meta.url,
  doc: 'Run shell commands or programs with live output, environment, stdin, timeouts and cancellation.',
  functions: { run },
});
