import { arg, changeResult, converge, defineResource, fn, luaTable, type ModuleCallContext, strictTable, z } from '@sloth/core';
import { unitNameSchema } from './names.js';
import { ensureSystemd, systemctl } from './systemctl.js';
import { type UnitDesired, type UnitResourceOptions, unitResource } from './unit-resource.js';

const nameArg = arg('name', unitNameSchema, 'the unit: "nginx" (a service) or "nginx.service", "docker.socket"...');
const nowArg = arg(
  'opts',
  luaTable(strictTable({ now: z.boolean().optional() })).optional(),
  '{ now = true }: also start (enable) or stop (disable) it',
);
const RETURNS = '{ changed, changes = { prop = { old, new } }, check_mode, name }';

/** Converges one unit to `desired` and returns the change contract's table. */
async function convergeUnit(
  ctx: ModuleCallContext,
  name: string,
  desired: UnitDesired,
  options: UnitResourceOptions = {},
): Promise<Record<string, unknown>> {
  await ensureSystemd(ctx);
  return changeResult(await converge(unitResource(options), name, desired, ctx), { name });
}

export const start = fn({
  doc: 'Starts a unit unless it is running already (changed = false then, and systemctl start is not run).',
  args: [nameArg],
  returns: RETURNS,
  examples: ['systemd.start("nginx")', 'local r = systemd.start("nginx")\nif r.changed then log.info("nginx started") end'],
  run: ([name], ctx) => convergeUnit(ctx, name, { state: 'started' }),
});

export const stop = fn({
  doc: 'Stops a unit unless it is stopped already.',
  args: [nameArg],
  returns: RETURNS,
  examples: ['systemd.stop("apache2")'],
  run: ([name], ctx) => convergeUnit(ctx, name, { state: 'stopped' }),
});

export const enable = fn({
  doc: 'Enables a unit (starts at boot) unless it is enabled already; now = true also starts it. A static unit (no [Install] section) is left as it is.',
  args: [nameArg, nowArg],
  returns: RETURNS,
  examples: ['systemd.enable("nginx")', 'systemd.enable("nginx", { now = true })'],
  run: ([name, opts], ctx) => convergeUnit(ctx, name, { enabled: true, ...(opts?.now ? { state: 'started' } : {}) }),
});

export const disable = fn({
  doc: 'Disables a unit (no start at boot) unless it is disabled already; now = true also stops it.',
  args: [nameArg, nowArg],
  returns: RETURNS,
  examples: ['systemd.disable("apache2")', 'systemd.disable("apache2", { now = true })'],
  run: ([name, opts], ctx) => convergeUnit(ctx, name, { enabled: false, ...(opts?.now ? { state: 'stopped' } : {}) }),
});

export const mask = fn({
  doc: 'Masks a unit (it cannot be started, even by hand or as a dependency) unless it is masked already. A running unit keeps running: stop it first.',
  args: [nameArg],
  returns: RETURNS,
  examples: ['systemd.stop("apache2")\nsystemd.mask("apache2")'],
  run: ([name], ctx) => convergeUnit(ctx, name, { masked: true }, { mayBeMissing: true }),
});

export const unmask = fn({
  doc: 'Unmasks a unit unless it is not masked.',
  args: [nameArg],
  returns: RETURNS,
  examples: ['systemd.unmask("apache2")'],
  run: ([name], ctx) => convergeUnit(ctx, name, { masked: false }, { mayBeMissing: true }),
});

export const restart = fn({
  doc: 'Restarts a unit (starts it when stopped). Always acts and reports changed = true; in check mode it reports that it would.',
  args: [nameArg],
  returns: RETURNS,
  examples: ['systemd.restart("nginx")'],
  run: ([name], ctx) => convergeUnit(ctx, name, { action: 'restarted' }, { noRecord: true }),
});

export const reload = fn({
  doc: 'Asks a running unit to reload its configuration (systemctl reload). Always acts and reports changed = true; in check mode it reports that it would.',
  args: [nameArg],
  returns: RETURNS,
  examples: ['systemd.reload("nginx")'],
  run: ([name], ctx) => convergeUnit(ctx, name, { action: 'reloaded' }, { noRecord: true }),
});

/** systemd's own configuration: reloading it always acts (there is no fact telling it is needed). */
const daemon = defineResource({
  type: 'systemd_daemon',
  desired: z.object({}),
  read: async () => ({}),
  diff: () => ({ reloaded: { old: false, new: true } }),
  apply: async (ctx) => void (await systemctl(ctx, ['daemon-reload'])),
});

export const daemonReload = fn({
  doc: 'Makes systemd re-read its unit files (systemctl daemon-reload). Always acts and reports changed = true. systemd.service does it itself when it changed a unit file.',
  args: [],
  returns: '{ changed, changes, check_mode }',
  examples: [
    'local r = file_ops.copy({ content = "[Service]\\nNice=5\\n", dest = "/etc/systemd/system/app.service.d/nice.conf" })\nif r.changed then systemd.daemon_reload() end',
  ],
  run: async (_args, ctx) => {
    await ensureSystemd(ctx);
    return changeResult(await converge(daemon, 'daemon-reload', {}, ctx));
  },
});
