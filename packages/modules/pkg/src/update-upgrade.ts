import { arg, fn, luaTable, z } from '@sloth/core';
import { aptGet, simulate } from './apt-get.js';
import { refreshIndex } from './apt-index.js';
import { requireManager } from './backend.js';
import { convergeBatch, packagesResult } from './batch.js';
import { driverFor } from './drivers.js';
import { updateWith, upgradeWith } from './manager-index.js';
import { serialized } from './serial.js';

const lockTimeout = z.number().int().nonnegative().optional();

export const update = fn({
  doc: 'Refreshes the package index (apt-get update, dnf/yum makecache, apk update, pacman -Sy, zypper refresh); with cache_valid_time (seconds), only when it is older than that. changed = true when the index fetched differs from the one before (apt: the names, sizes and times of its lists; the others: the content of their repomd.xml, APKINDEX or .db files).',
  args: [
    arg(
      'opts',
      luaTable(
        z.object({ cache_valid_time: z.number().int().nonnegative().optional(), lock_timeout: lockTimeout }).strict(),
      ).optional(),
      '{ cache_valid_time = seconds, lock_timeout = seconds }',
    ),
  ],
  returns: '{ changed, changes = { refreshed = { old = ISO time of the last refresh or nil, new = "now" } }, check_mode }',
  examples: ['pkg.update()', 'pkg.update({ cache_valid_time = 3600 })'],
  run: async ([opts], ctx) => {
    const manager = await requireManager(ctx);
    if (manager !== 'apt') {
      const driver = driverFor(manager);
      return serialized(ctx, () => updateWith(ctx, driver, opts?.cache_valid_time, opts?.lock_timeout));
    }
    return serialized(ctx, async () => {
      const outcome = await refreshIndex(ctx, opts?.cache_valid_time, { lockTimeout: opts?.lock_timeout });
      return packagesResult(ctx, [outcome], { changes: outcome.changes });
    });
  },
});

export const upgrade = fn({
  doc: 'Upgrades the installed packages that have newer versions in the index (apt-get upgrade, dnf/yum upgrade -y, apk upgrade, pacman -Su, zypper update; dist = true: apt-get dist-upgrade, dnf distro-sync, apk upgrade --available, zypper dist-upgrade, which may also install or remove packages). Nothing to upgrade: changed = false, the package manager is not started.',
  args: [
    arg(
      'opts',
      luaTable(z.object({ dist: z.boolean().optional(), lock_timeout: lockTimeout }).strict()).optional(),
      '{ dist = true, lock_timeout = seconds }',
    ),
  ],
  returns: '{ changed, changes = { [name] = { old, new } }, packages = { names upgraded }, check_mode }',
  examples: [
    'pkg.update()\nlocal r = pkg.upgrade()\nlog.info(#r.packages .. " packages upgraded")',
    'pkg.upgrade({ dist = true })',
  ],
  run: async ([opts], ctx) => {
    const manager = await requireManager(ctx);
    if (manager !== 'apt') {
      const driver = driverFor(manager);
      return serialized(ctx, () => upgradeWith(ctx, driver, opts?.dist ?? false, opts?.lock_timeout));
    }
    const command = opts?.dist ? 'dist-upgrade' : 'upgrade';
    return serialized(ctx, async () => {
      const plan = await simulate(ctx, [command]);
      const items = [...plan.values()].map((p) => ({ name: p.name, desired: { installed: true as const, version: p.new } }));
      // An upgrade does not make the workflow manage every package it touches: nothing is recorded in the stack.
      const outcomes = await convergeBatch(
        ctx,
        items,
        () => aptGet(ctx, [command], { lockTimeout: opts?.lock_timeout }).then(() => {}),
        {
          record: false,
        },
      );
      return packagesResult(ctx, outcomes, { packages: outcomes.filter((c) => c.changed).map((c) => c.name) });
    });
  },
});
