import { arg, fn, luaTable, type ModuleCallContext, notRun, SlothError, strictTable, z } from '@sloth/core';
import { incusChange, incusList, instanceInfo } from './incus-cli.js';

const RESULT = 'table: success, changed, check_mode, exit_code, stdout, stderr';
const snapshotSpec = luaTable(
  strictTable({ instance: z.string().min(1), name: z.string().min(1), stateful: z.boolean().optional() }),
);

/** The instance's snapshot names; not_found for a missing instance (outside check mode). */
async function snapshotsOf(ctx: ModuleCallContext, instance: string): Promise<string[]> {
  if (!(await instanceInfo(ctx, instance))) {
    if (ctx.checkMode) return [];
    throw new SlothError('not_found', `${ctx.fn}: there is no instance ${instance}`, {
      hint: 'create it first (incus.instance{...}:create())',
    });
  }
  return (await incusList<{ name: string }>(ctx, ['snapshot', 'list', instance])).map((s) => s.name);
}

function report(
  ctx: ModuleCallContext,
  o: { instance: string; name: string },
  changes: Record<string, { old: unknown; new: unknown }>,
) {
  ctx.reportResource({
    type: 'incus_snapshot',
    name: `${o.instance}/${o.name}`,
    fn: ctx.fn,
    changed: true,
    changes,
    checkMode: ctx.checkMode,
  });
}

export const snapshotCreate = fn({
  doc: 'Takes a snapshot of an instance (stateful: with its memory); changed = false when it has a snapshot of that name.',
  args: [arg('opts', snapshotSpec, '{ instance, name, stateful }')],
  returns: RESULT,
  examples: ['incus.snapshot_create({ instance = "web-01", name = "before-upgrade", stateful = true })'],
  run: async ([o], ctx) => {
    if ((await snapshotsOf(ctx, o.instance)).includes(o.name)) return notRun(ctx, false);
    report(ctx, o, { state: { old: 'absent', new: 'present' } });
    if (ctx.checkMode) return notRun(ctx, true);
    const args = ['snapshot', 'create', o.instance, o.name, ...(o.stateful ? ['--stateful'] : [])];
    return incusChange(ctx, args, `snapshot create ${o.instance}/${o.name}`);
  },
});

export const snapshotRestore = fn({
  doc: 'Restores an instance to a snapshot (always a change: its state is not compared); a missing snapshot is an error. Check mode: reports only.',
  args: [arg('opts', snapshotSpec, '{ instance, name }')],
  returns: RESULT,
  examples: ['incus.snapshot_restore({ instance = "web-01", name = "before-upgrade" })'],
  run: async ([o], ctx) => {
    const names = await snapshotsOf(ctx, o.instance);
    if (!ctx.checkMode && !names.includes(o.name)) {
      throw new SlothError('not_found', `${ctx.fn}: instance ${o.instance} has no snapshot ${o.name}`, {
        hint: names.length ? `its snapshots: ${names.join(', ')}` : 'it has no snapshot',
      });
    }
    report(ctx, o, { restored: { old: undefined, new: o.name } });
    if (ctx.checkMode) return notRun(ctx, true);
    return incusChange(ctx, ['snapshot', 'restore', o.instance, o.name], `snapshot restore ${o.instance}/${o.name}`);
  },
});

export const snapshotDelete = fn({
  doc: 'Deletes a snapshot; changed = false when there is none of that name.',
  args: [arg('opts', snapshotSpec, '{ instance, name }')],
  returns: RESULT,
  examples: ['incus.snapshot_delete({ instance = "web-01", name = "before-upgrade" })'],
  run: async ([o], ctx) => {
    if (!(await snapshotsOf(ctx, o.instance)).includes(o.name)) return notRun(ctx, false);
    report(ctx, o, { state: { old: 'present', new: 'absent' } });
    if (ctx.checkMode) return notRun(ctx, true);
    return incusChange(ctx, ['snapshot', 'delete', o.instance, o.name], `snapshot delete ${o.instance}/${o.name}`);
  },
});
