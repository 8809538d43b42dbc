import { type ModuleCallContext, type ProcessResult, SlothError } from '@sloth/core';

/** How long one systemctl call may run: a start waits for the unit (systemd's own start timeout is 90 s by default). */
const SYSTEMCTL_TIMEOUT_MS = 300_000;

/**
 * The systemctl to run: `SLOTH_SYSTEMCTL` in the task's environment when set (the module's tests point it at a fake
 * systemctl, which stands in for a running systemd), else `systemctl` from PATH.
 */
const systemctlOf = (ctx: ModuleCallContext) => ctx.env.SLOTH_SYSTEMCTL || 'systemctl';

/**
 * Fails unless systemd runs the host, as sd_booted() tells it: /run/systemd/system exists. The error names what PID 1
 * is instead (a container's init, say). A fake systemctl (SLOTH_SYSTEMCTL) skips the check.
 */
export async function ensureSystemd(ctx: ModuleCallContext): Promise<void> {
  if (ctx.env.SLOTH_SYSTEMCTL) return;
  if ((await ctx.host.stat('/run/systemd/system'))?.type === 'directory') return;
  let comm = 'unknown';
  try {
    comm = (await ctx.host.readFile('/proc/1/comm')).toString('utf8').trim() || comm;
  } catch {
    // /proc may be hidden; the message still says systemd is not running.
  }
  throw new SlothError('conflict', `${ctx.fn}: systemd is not running here (PID 1 is ${comm})`, {
    hint: 'systemd functions need a machine booted with systemd; in a container, run the program directly (exec.run) or use the container runtime',
  });
}

/** Runs `systemctl ARGS` on the task's host; a failure is an error carrying what systemctl said. */
export async function systemctl(ctx: ModuleCallContext, args: readonly string[]): Promise<ProcessResult> {
  const argv = [systemctlOf(ctx), ...args];
  const shown = `systemctl ${args.join(' ')}`;
  const result = await ctx.host.run(argv, { timeoutMs: SYSTEMCTL_TIMEOUT_MS });
  if (result.spawnError === 'ENOENT') {
    throw new SlothError('not_found', `${ctx.fn}: '${argv[0]}' is not installed on ${ctx.host.name}`, {
      hint: 'install systemd (Debian: apt-get install systemd)',
    });
  }
  if (result.aborted) throw new SlothError('aborted', `${ctx.fn}: ${shown} was stopped with the task`);
  if (result.timedOut) {
    throw new SlothError('timeout', `${ctx.fn}: ${shown} did not finish within ${SYSTEMCTL_TIMEOUT_MS / 1000} s`, {
      hint: 'the unit may hang while starting or stopping: see systemctl status and journalctl -u for it',
    });
  }
  if (result.exitCode !== 0) {
    const said = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-5).join('\n');
    const unit = args.at(-1) ?? '';
    throw new SlothError('task_failed', `${ctx.fn}: ${shown} failed (exit ${result.exitCode ?? result.signal}): ${said}`, {
      hint: `see \`systemctl status ${unit}\` and \`journalctl -u ${unit}\` on ${ctx.host.name}`,
    });
  }
  return result;
}
