import { processExitCode, runProcess } from './process-runner.js';
import type { TaskBody, TaskContext, TaskOutcome, TaskPredicate } from './workflow-model.js';

/** Runs a shell command line for a task: in its workdir and env, output streamed to its log, killed with it. */
export async function runShellForTask(command: string, ctx: TaskContext) {
  return runProcess({
    command,
    cwd: ctx.workdir,
    env: ctx.env,
    user: ctx.user,
    signal: ctx.signal,
    onLine: (stream, line) => ctx.log.log(stream === 'stderr' ? 'warn' : 'info', line, undefined, stream),
  });
}

/** A task body that runs a shell command line; it succeeds when the command exits 0. */
export function shellBody(command: string): TaskBody {
  return async (ctx): Promise<TaskOutcome> => {
    // Its effect is unknown, so check mode cannot run it to see what it would change (Ansible's command/shell).
    if (ctx.checkMode) {
      ctx.log.log('info', 'skipped (check mode): a shell command is not run in check mode');
      return { success: true, skippedInCheckMode: true, message: 'skipped (check mode)' };
    }
    const r = await runShellForTask(command, ctx);
    const output = { stdout: r.stdout, stderr: r.stderr, exit_code: processExitCode(r) };
    if (r.exitCode === 0) return { success: true, message: r.stdout.trim(), output };
    const why = r.signal ? `was killed by ${r.signal}` : `exited with code ${r.exitCode}`;
    return {
      success: false,
      message: `command \`${command}\` ${why}${r.stderr.trim() ? `: ${lastLine(r.stderr)}` : ''}`,
      output,
    };
  };
}

/** A run_if/abort_if condition given as a shell command: exit 0 means true. */
export function shellPredicate(command: string): TaskPredicate {
  return async (ctx: TaskContext) => (await runShellForTask(command, ctx)).exitCode === 0;
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return lines[lines.length - 1] ?? '';
}
