import {
  type Changes,
  defineResource,
  type ModuleCallContext,
  type ResourceOutcome,
  type ResourceReadback,
  z,
} from '@sloth/core';
import { requireManager } from './backend.js';
import type { PackageFact } from './driver.js';
import { packageFacts } from './drivers.js';
import { versionMatches } from './version-match.js';

/**
 * A package named by its name. Desired: installed at `version` (the version the call settled on: the installed one
 * when it is acceptable, else the one apt would install); or, where the package manager does not say beforehand
 * which version it would install, installed at any version matching `pin` (none: any version); or not installed
 * (`purge`: without its configuration files either). Its change is `version = { old, new }` (and `config_files` for a purge of a removed package).
 * `apply` does not run the package manager: the function gathers the packages to change and runs it once for all.
 */
export const packageResource = defineResource({
  type: 'package',
  desired: z.discriminatedUnion('installed', [
    z.object({ installed: z.literal(true), version: z.string().optional(), pin: z.string().optional() }),
    z.object({ installed: z.literal(false), purge: z.boolean() }),
  ]),
  read: async (ctx, name): Promise<PackageFact | undefined> => (await packageFacts(ctx, [name])).get(name),
  diff: (desired, actual) => packageDiff(desired, actual),
  apply: async (ctx, name) => {
    pendingOf(ctx).push(name);
  },
  record: (name, desired) =>
    desired.installed ? { name, installed: true, version: desired.version } : { name, installed: false },
});

/** The desired state of a package. */
export type PackageDesired =
  | { installed: true; version?: string | undefined; pin?: string | undefined }
  | { installed: false; purge: boolean };

/** What a change reports as the new version before the package manager has said which it installed. */
export const NEWEST = '(newest available)';

/** What differs between a package's desired state and the package database's facts. */
export function packageDiff(desired: PackageDesired, actual: PackageFact | undefined): Changes {
  if (desired.installed) {
    // A package dpkg left half-way (a failed maintainer script) is not installed as asked, whatever its version.
    const have = actual?.status === 'installed' ? actual.version : undefined;
    const done =
      have !== undefined &&
      (desired.version !== undefined ? have === desired.version : desired.pin === undefined || versionMatches(have, desired.pin));
    return done ? {} : { version: { old: actual?.version, new: desired.version ?? desired.pin ?? NEWEST } };
  }
  const changes: Changes = {};
  if (actual?.version !== undefined) changes.version = { old: actual.version, new: undefined };
  if (desired.purge && (actual?.configFiles || actual?.version !== undefined)) changes.config_files = { old: true, new: false };
  return changes;
}

// The names whose apply ran in a batch: the function hands converge a context that carries its list.
const pending = new WeakMap<object, string[]>();

/** A context for converging a batch of packages: applies are gathered instead of run, outcomes held until they are true. */
export function batchContext(ctx: ModuleCallContext) {
  const names: string[] = [];
  const held: ResourceOutcome[] = [];
  const batch: ModuleCallContext = { ...ctx, reportResource: (o) => void held.push(o) };
  pending.set(batch, names);
  return { batch, names, held };
}

function pendingOf(ctx: ModuleCallContext): string[] {
  const names = pending.get(ctx);
  if (!names) throw new Error('package resource applied outside a batch');
  return names;
}

/**
 * The pkg drift hook: reads back a stack resource of type "package". Recorded installed: missing when it is not
 * installed any more, else its current version. Recorded removed (`installed = false`): drifted once it is installed.
 */
export async function readPkgResource(
  type: string,
  name: string,
  properties: Record<string, unknown>,
  ctx: ModuleCallContext,
): Promise<ResourceReadback | undefined> {
  if (type !== 'package') return undefined;
  const packageName = typeof properties.name === 'string' ? properties.name : name;
  await requireManager({ ...ctx, fn: 'pkg' });
  const actual = (await packageFacts(ctx, [packageName])).get(packageName);
  const installed = actual?.version !== undefined;
  if (properties.installed !== false && !installed) return { exists: false };
  const current: Record<string, unknown> = { name: packageName, installed };
  if ('version' in properties) current.version = actual?.version;
  return { exists: true, properties: current };
}
