import { arg, fn, luaTable, type ModuleCallContext, notRun, SlothError, strictTable, z } from '@sloth/core';
import { docker, isMissing } from './docker-cli.js';

const objectOptions = strictTable({
  name: z.string().min(1),
  driver: z.string().min(1).optional(),
  labels: luaTable(z.record(z.string(), z.string())).optional(),
});
type ObjectOptions = z.output<typeof objectOptions>;

/** Creates a network or volume unless one of that name exists (its settings are then left as they are). */
async function ensure(ctx: ModuleCallContext, kind: 'network' | 'volume', o: ObjectOptions) {
  const found = await docker(ctx, [kind, 'inspect', o.name], { quiet: true });
  if (!found.success && !isMissing(found)) {
    throw new SlothError('task_failed', `${ctx.fn}: docker ${kind} inspect failed: ${found.error}`);
  }
  const changed = !found.success;
  const record = { driver: o.driver ?? 'default' };
  const report = (done: boolean) =>
    ctx.reportResource({
      type: `docker_${kind}`,
      name: o.name,
      fn: ctx.fn,
      changed,
      changes: changed ? { exists: { old: false, new: true } } : {},
      checkMode: ctx.checkMode,
      record: done ? record : undefined,
    });
  if (!changed || ctx.checkMode) {
    report(!ctx.checkMode);
    return notRun(ctx, changed, { name: o.name });
  }
  const args = [kind, 'create'];
  if (o.driver) args.push('--driver', o.driver);
  for (const [k, v] of Object.entries(o.labels ?? {})) args.push('--label', `${k}=${v}`);
  const r = await docker(ctx, [...args, o.name]);
  if (r.success) report(true);
  return { ...r, changed: r.success, check_mode: false, name: o.name };
}

export const networkCreate = fn({
  doc: "Creates a docker network (driver, labels) unless one of that name exists (changed = false then). Recorded in the run's stack.",
  args: [arg('opts', luaTable(objectOptions), '{ name, driver, labels }')],
  returns: 'table: success, changed, name, check_mode, exit_code, stdout, stderr, error',
  examples: ['docker.network_create({ name = "backend", driver = "bridge" })'],
  run: ([o], ctx) => ensure(ctx, 'network', o),
});

export const volumeCreate = fn({
  doc: "Creates a docker volume (driver, labels) unless one of that name exists (changed = false then). Recorded in the run's stack.",
  args: [arg('opts', luaTable(objectOptions), '{ name, driver, labels }')],
  returns: 'table: success, changed, name, check_mode, exit_code, stdout, stderr, error',
  examples: ['docker.volume_create({ name = "pgdata" })'],
  run: ([o], ctx) => ensure(ctx, 'volume', o),
});
