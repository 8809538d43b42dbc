import { type ModuleCallContext, SlothError } from '@sloth/core';
import { cEnv, toolFailure } from './dpkg-facts.js';
import type { Command, PackageFact } from './driver.js';

/** Runs a package manager's command that changes the host (logged); fails with the last lines it printed. */
export async function runManager(ctx: ModuleCallContext, command: Command): Promise<string> {
  const { argv } = command;
  // "dnf install", "zypper install", "pacman -S": the tool and its operation (the first argument not a long option).
  const what = `${argv[0]} ${argv.find((a, i) => i > 0 && !a.startsWith('--')) ?? ''}`.trim();
  ctx.log.log('info', `running ${argv.join(' ')}`);
  const r = await ctx.host.run(argv, { env: { ...cEnv(ctx), ...command.env } });
  if (r.aborted) throw new SlothError('aborted', `${ctx.fn}: stopped while ${what} was running`);
  if (r.exitCode !== 0 && !command.okExit?.includes(r.exitCode ?? -1)) throw toolFailure(ctx, what, r);
  return r.stdout;
}

/**
 * Runs a tool that reads facts (not logged). `ok` says which exit codes are answers rather than failures (rpm -q
 * counts the names it did not find; dnf check-update exits 100 when it found updates).
 */
export async function readTool(
  ctx: ModuleCallContext,
  argv: string[],
  ok: (exitCode: number | null, stderr: string) => boolean = (code) => code === 0,
): Promise<{ stdout: string; exitCode: number | null }> {
  const r = await ctx.host.run(argv, { env: cEnv(ctx) });
  if (r.spawnError || !ok(r.exitCode, r.stderr)) throw toolFailure(ctx, argv.slice(0, 2).join(' '), r);
  return { stdout: r.stdout, exitCode: r.exitCode };
}

/** Installed packages (name -> version) as facts of a package database. */
export function installedFacts(installed: ReadonlyMap<string, string>): Map<string, PackageFact> {
  const out = new Map<string, PackageFact>();
  for (const [name, version] of installed) out.set(name, { name, version, configFiles: false, status: 'installed' });
  return out;
}

/** An option a package manager cannot honour: an error naming both. */
export function notSupported(ctx: ModuleCallContext, manager: string, option: string, hint: string): SlothError {
  return new SlothError('invalid_argument', `${ctx.fn}: ${option} is not supported with ${manager}`, { hint });
}

/** The lock_timeout of a manager with no bounded wait for its lock: refused when given. */
export function noLockWait(ctx: ModuleCallContext, manager: string, lockTimeout: number | undefined): void {
  if (lockTimeout !== undefined) {
    throw notSupported(ctx, manager, 'lock_timeout', `${manager} has no bounded wait for its lock: leave lock_timeout out`);
  }
}
