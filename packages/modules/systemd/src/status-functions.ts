import { arg, fn } from '@sloth/core';
import { unitNameSchema } from './names.js';
import { ensureSystemd } from './systemctl.js';
import { readUnit } from './unit-facts.js';
import { knownUnit } from './unit-resource.js';

const nameArg = arg('name', unitNameSchema, 'the unit: "nginx" or "nginx.service"');

export const status = fn({
  doc: 'What systemd says of a unit: whether it is active and enabled, its ActiveState and SubState, its main PID (0 when none) and since when it is active. A unit systemd does not know is an error.',
  args: [nameArg],
  returns: '{ is_active, is_enabled, active_state, sub_state, main_pid, since, load_state, unit_file_state }',
  examples: [
    'local s = systemd.status("nginx")\nlog.info("nginx is " .. s.active_state .. " (" .. s.sub_state .. ") since " .. tostring(s.since))',
  ],
  run: async ([name], ctx) => {
    await ensureSystemd(ctx);
    const f = await knownUnit(ctx, name);
    return {
      is_active: f.active,
      is_enabled: f.enabled,
      active_state: f.active_state,
      sub_state: f.sub_state,
      main_pid: f.main_pid,
      since: f.since,
      load_state: f.load_state,
      unit_file_state: f.unit_file_state,
    };
  },
});

export const isActive = fn({
  doc: 'Whether a unit is active (running, or starting or reloading); false for a unit systemd does not know.',
  args: [nameArg],
  returns: 'boolean',
  examples: ['if not systemd.is_active("nginx") then log.warn("nginx is down") end'],
  run: async ([name], ctx) => {
    await ensureSystemd(ctx);
    return (await readUnit(ctx, name)).active;
  },
});

export const isEnabled = fn({
  doc: 'Whether a unit starts at boot, as `systemctl is-enabled` answers yes (enabled, or static: started by another unit); false for a unit systemd does not know.',
  args: [nameArg],
  returns: 'boolean',
  examples: ['if systemd.is_enabled("apache2") then systemd.disable("apache2", { now = true }) end'],
  run: async ([name], ctx) => {
    await ensureSystemd(ctx);
    return (await readUnit(ctx, name)).enabled;
  },
});
