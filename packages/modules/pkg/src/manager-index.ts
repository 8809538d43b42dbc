import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Changes, ModuleCallContext, ResourceOutcome } from '@sloth/core';
import { convergeBatch, packagesResult } from './batch.js';
import type { Driver } from './driver.js';
import { runManager } from './manager-run.js';
import { globToRegExp } from './other-facts.js';

interface IndexFile {
  path: string;
  mtimeMs: number;
}

/** The files of a manager's index that exist (patterns with '*' within segments). */
async function indexFiles(ctx: ModuleCallContext, patterns: readonly string[]): Promise<IndexFile[]> {
  const found: IndexFile[] = [];
  for (const pattern of patterns) {
    let paths = ['/'];
    for (const segment of pattern.split('/').filter(Boolean)) {
      const next: string[] = [];
      for (const dir of paths) {
        if (!segment.includes('*')) next.push(join(dir, segment));
        else if ((await ctx.host.stat(dir))?.type === 'directory') {
          const matches = globToRegExp(segment);
          for (const name of await ctx.host.readdir(dir).catch(() => [])) if (matches.test(name)) next.push(join(dir, name));
        }
      }
      paths = next;
    }
    for (const path of paths) {
      const stat = await ctx.host.stat(path);
      if (stat?.type === 'file') found.push({ path, mtimeMs: stat.mtimeMs });
    }
  }
  return found;
}

/** A hash of the index files' names and contents: a refresh changed the index when it differs. */
async function fingerprint(ctx: ModuleCallContext, files: readonly IndexFile[]): Promise<string> {
  const hash = createHash('sha256');
  for (const f of files) hash.update(`${f.path}\0`).update(await ctx.host.readFile(f.path));
  return hash.digest('hex');
}

/**
 * Refreshes another manager's index unless its files are younger than `validFor` seconds. Changed only when the
 * index files it fetched differ in content from those it had (dnf's repomd.xml, apk's APKINDEX, pacman's .db).
 */
export async function refreshWith(
  ctx: ModuleCallContext,
  driver: Driver,
  validFor: number | undefined,
  lockTimeout: number | undefined,
): Promise<ResourceOutcome> {
  const command = driver.refresh(ctx, lockTimeout);
  const files = await indexFiles(ctx, driver.indexFiles);
  const at = files.length > 0 ? Math.max(...files.map((f) => f.mtimeMs)) : undefined;
  const report = (changed: boolean) => {
    const changes: Changes = changed
      ? { refreshed: { old: at === undefined ? undefined : new Date(at).toISOString(), new: 'now' } }
      : {};
    const outcome: ResourceOutcome = {
      type: 'package_index',
      name: driver.name,
      fn: ctx.fn,
      changed,
      changes,
      checkMode: ctx.checkMode,
    };
    ctx.reportResource(outcome);
    return outcome;
  };
  if (validFor !== undefined && at !== undefined && Date.now() - at <= validFor * 1000) return report(false);
  if (ctx.checkMode) return report(true);
  const before = await fingerprint(ctx, files);
  await runManager(ctx, command);
  return report((await fingerprint(ctx, await indexFiles(ctx, driver.indexFiles))) !== before);
}

/** pkg.update with another manager. */
export async function updateWith(
  ctx: ModuleCallContext,
  driver: Driver,
  validFor: number | undefined,
  lockTimeout: number | undefined,
) {
  const outcome = await refreshWith(ctx, driver, validFor, lockTimeout);
  return packagesResult(ctx, [outcome], { changes: outcome.changes });
}

/** pkg.upgrade with another manager: the updates its index has; none: the upgrade is not started. */
export async function upgradeWith(ctx: ModuleCallContext, driver: Driver, dist: boolean, lockTimeout: number | undefined) {
  const command = driver.upgrade(ctx, dist, lockTimeout);
  const updates = await driver.updates(ctx);
  const items = [...updates].map(([name, version]) => ({ name, desired: { installed: true as const, pin: version } }));
  // An upgrade does not make the workflow manage every package it touches: nothing is recorded in the stack.
  const outcomes = await convergeBatch(ctx, items, () => runManager(ctx, command).then(() => {}), { record: false });
  return packagesResult(ctx, outcomes, { packages: outcomes.filter((c) => c.changed).map((c) => c.name) });
}
