import { editDistance, type ModuleCallContext, SlothError } from '@sloth/core/internal';
import { cEnv, toolFailure } from './dpkg-facts.js';

/** How long apt-get waits for dpkg's lock by default, in seconds. */
export const DEFAULT_LOCK_TIMEOUT = 120;

/** Options every apt-get run takes. */
export interface AptOptions {
  /** Seconds to wait for dpkg's lock held by another process (default DEFAULT_LOCK_TIMEOUT). */
  lockTimeout?: number | undefined;
}

/** A package apt would install or upgrade, from a simulation's `Inst` line. */
export interface PlannedPackage {
  name: string;
  /** The installed version it replaces, if any. */
  old: string | undefined;
  new: string;
}

/**
 * Runs `apt-get -y -q ARGS` non-interactively: no prompts (DEBIAN_FRONTEND=noninteractive), existing configuration
 * files kept (force-confdef, force-confold), dpkg's lock waited for up to the lock timeout. Fails with what apt said.
 */
export async function aptGet(ctx: ModuleCallContext, args: readonly string[], options: AptOptions = {}): Promise<string> {
  const lockTimeout = options.lockTimeout ?? DEFAULT_LOCK_TIMEOUT;
  const argv = [
    'apt-get',
    '-y',
    '-q',
    '-o',
    `DPkg::Lock::Timeout=${lockTimeout}`,
    '-o',
    'Dpkg::Options::=--force-confdef',
    '-o',
    'Dpkg::Options::=--force-confold',
    ...args,
  ];
  ctx.log.log('info', `running ${argv.join(' ')}`);
  const r = await ctx.host.run(argv, { env: { ...cEnv(ctx), DEBIAN_FRONTEND: 'noninteractive', NEEDRESTART_MODE: 'a' } });
  if (r.aborted) throw new SlothError('aborted', `${ctx.fn}: stopped while apt-get ${args[0]} was running`);
  if (r.exitCode === 0) return r.stdout;
  const lock = lockHolder(`${r.stdout}\n${r.stderr}`);
  if (lock) {
    throw new SlothError('timeout', `${ctx.fn}: ${lock.path} is held by ${lock.holder}; waited ${lockTimeout} s for it`, {
      hint: 'another package manager is running (unattended-upgrades, another apt-get): wait for it, or raise lock_timeout',
    });
  }
  throw (await unknownPackageError(ctx, r.stderr)) ?? toolFailure(ctx, `apt-get ${args[0]}`, r);
}

/** What apt says of a lock it could not get: the lock file and its holder ("process 1234 (apt-get)"). */
export function lockHolder(output: string): { path: string; holder: string } | undefined {
  const held = /Could not get lock (\S+?)\.? It is held by (process \d+(?: \([^)]*\))?)/.exec(output);
  if (held?.[1] && held[2]) return { path: held[1], holder: held[2] };
  const other =
    /Could not get lock (\S+?)[.\s]/.exec(output) ?? /Unable to acquire the dpkg frontend lock \((\S+)\)/.exec(output);
  return other?.[1] ? { path: other[1], holder: 'another process' } : undefined;
}

/**
 * What `apt-get -s ARGS` would do: the packages it would install or upgrade, by name. A simulation changes nothing
 * and takes no lock; an unknown package fails here, before anything is changed.
 */
export async function simulate(ctx: ModuleCallContext, args: readonly string[]): Promise<Map<string, PlannedPackage>> {
  const r = await ctx.host.run(['apt-get', '-s', '-q', '-y', ...args], { env: cEnv(ctx) });
  if (r.exitCode !== 0) throw (await unknownPackageError(ctx, r.stderr)) ?? toolFailure(ctx, `apt-get ${args[0]}`, r);
  return parseSimulation(r.stdout);
}

/** The `Inst NAME [OLD] (NEW ...)` lines of a simulation. */
export function parseSimulation(stdout: string): Map<string, PlannedPackage> {
  const out = new Map<string, PlannedPackage>();
  for (const m of stdout.matchAll(/^Inst (\S+) (?:\[([^\]]+)\] )?\((\S+)/gm)) {
    const name = (m[1] as string).replace(/:[a-z0-9-]+$/, '');
    out.set(name, { name, old: m[2], new: m[3] as string });
  }
  return out;
}

/** For "Unable to locate package X" (or no candidate): an error naming it and the nearest names apt knows. */
async function unknownPackageError(ctx: ModuleCallContext, stderr: string): Promise<SlothError | undefined> {
  const m = /E: Unable to locate package (\S+)/.exec(stderr) ?? /E: Package '([^']+)' has no installation candidate/.exec(stderr);
  if (!m?.[1]) return undefined;
  const name = m[1];
  const near = await nearestNames(ctx, name);
  const suggestion = near.length > 0 ? ` (did you mean ${near.map((n) => `'${n}'`).join(', ')}?)` : '';
  return new SlothError('not_found', `${ctx.fn}: no package '${name}' is available${suggestion}`, {
    hint: `check the name (apt-cache search ${name}); if it is right, refresh the index first: update_cache = true`,
  });
}

/**
 * Up to three names apt knows that are nearest to `name` (by edit distance, and those that start with it). Empty
 * when apt's index is empty (apt-get update never ran) or cannot be read.
 */
export async function nearestNames(ctx: ModuleCallContext, name: string): Promise<string[]> {
  const r = await ctx.host.run(['apt-cache', 'pkgnames'], { env: cEnv(ctx) });
  if (r.exitCode !== 0) return [];
  const limit = Math.max(1, Math.floor(name.length / 3));
  const scored: [number, string][] = [];
  for (const candidate of r.stdout.split('\n')) {
    if (!candidate || candidate === name) continue;
    if (!candidate.startsWith(name) && Math.abs(candidate.length - name.length) > limit) continue;
    const d = candidate.startsWith(name) ? 0.5 + (candidate.length - name.length) / 100 : editDistance(name, candidate);
    if (d <= limit) scored.push([d, candidate]);
  }
  return scored
    .sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1))
    .slice(0, 3)
    .map(([, n]) => n);
}
