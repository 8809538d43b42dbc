import { changeResult, converge, type ModuleCallContext, type ResourceOutcome, SlothError } from '@sloth/core';
import type { PackageFact } from './driver.js';
import { packageFacts } from './drivers.js';
import { batchContext, type PackageDesired, packageDiff, packageResource } from './package-resource.js';

/** A package a call converges, and the state it wants it in. */
export interface BatchItem {
  name: string;
  desired: PackageDesired;
}

/**
 * Converges several packages with one run of the package manager: each is read and diffed; `run` gets the names that
 * differ (never in check mode, never when none does). Outcomes are reported once the package database confirms them,
 * with the versions it says, so a failed run reports what it did change and nothing it did not.
 */
export async function convergeBatch(
  ctx: ModuleCallContext,
  items: readonly BatchItem[],
  run: (names: string[]) => Promise<void>,
  options: { record?: boolean } = {},
): Promise<ResourceOutcome[]> {
  const resource = options.record === false ? { ...packageResource, record: undefined } : packageResource;
  const { batch, names, held } = batchContext(ctx);
  const before = await packageFacts(
    ctx,
    items.map((i) => i.name),
  );
  for (const item of items) await converge(resource, item.name, item.desired, batch);
  if (names.length === 0 || ctx.checkMode) {
    for (const o of held) ctx.reportResource(o);
    return held;
  }
  let failure: unknown;
  try {
    await run(names);
  } catch (err) {
    failure = err;
  }
  const after = await packageFacts(
    ctx,
    items.map((i) => i.name),
  );
  const reported: ResourceOutcome[] = [];
  const missed: string[] = [];
  for (const o of held) {
    const item = items.find((i) => i.name === o.name) as BatchItem;
    const now = after.get(o.name);
    if (!o.changed) {
      reported.push(o);
      continue;
    }
    if (Object.keys(packageDiff(item.desired, now)).length === 0) {
      reported.push(item.desired.installed ? installedAs(o, now?.version) : o);
      continue;
    }
    missed.push(`'${o.name}' is ${describe(now)}`);
    const was = before.get(o.name);
    if (was?.version !== now?.version || Boolean(was?.configFiles) !== Boolean(now?.configFiles)) {
      reported.push({ ...o, changes: { version: { old: was?.version, new: now?.version } }, record: undefined });
    }
  }
  for (const o of reported) ctx.reportResource(o);
  if (failure) throw failure;
  if (missed.length > 0) {
    throw new SlothError('task_failed', `${ctx.fn}: the package manager succeeded, but ${missed.join(', ')}`, {
      hint: 'see its output in the task log; a package left half-configured is finished with dpkg --configure -a',
    });
  }
  return reported;
}

/** A changed outcome of an install, with the version the database says it is at now (where the call named none). */
function installedAs(o: ResourceOutcome, version: string | undefined): ResourceOutcome {
  const old = o.changes.version?.old;
  return { ...o, changes: { ...o.changes, version: { old, new: version } }, record: o.record && { ...o.record, version } };
}

function describe(p: PackageFact | undefined): string {
  if (p?.version) return p.status === 'installed' ? `at ${p.version}` : `${p.status} at ${p.version}`;
  return p?.configFiles ? 'removed, its configuration files left' : 'not installed';
}

/**
 * What a pkg function returns for its outcomes, on the change contract: `changes` has one entry per package changed
 * (`{ old, new }` versions; a purge of configuration files only is `{ old = "config-files" }`), `changed` is true when
 * any outcome (the package index too) changed.
 */
export function packagesResult(
  ctx: ModuleCallContext,
  outcomes: readonly ResourceOutcome[],
  fields: Record<string, unknown> = {},
) {
  const changes: Record<string, { old: unknown; new: unknown }> = {};
  for (const o of outcomes) {
    if (!o.changed || o.type !== 'package') continue;
    changes[o.name] = o.changes.version ?? { old: 'config-files', new: undefined };
  }
  const changed = outcomes.some((o) => o.changed);
  return changeResult({ type: 'package', name: '', fn: ctx.fn, changed, changes, checkMode: ctx.checkMode }, fields);
}
