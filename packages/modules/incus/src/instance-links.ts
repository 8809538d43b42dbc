import { arg, fn, type ModuleCallContext, notRun, SlothError, z } from '@sloth/core';
import { incusChange, instanceInfo } from './incus-cli.js';

const RESULT = 'table: success, changed, check_mode, exit_code, stdout, stderr';

/** The instance, or a not_found error naming it (outside check mode, where a step before may only have been reported). */
async function instanceOf(ctx: ModuleCallContext, name: string) {
  const info = await instanceInfo(ctx, name);
  if (!info && !ctx.checkMode) {
    throw new SlothError('not_found', `${ctx.fn}: there is no instance ${name}`, {
      hint: 'create it first (incus.instance{...}:create())',
    });
  }
  return info;
}

/** Reports and (outside check mode) makes a change of what an instance is linked to. */
async function link(ctx: ModuleCallContext, instance: string, what: string, from: boolean, args: string[]) {
  ctx.reportResource({
    type: 'incus_instance_link',
    name: `${instance}/${what}`,
    fn: ctx.fn,
    changed: true,
    changes: { linked: { old: from, new: !from } },
    checkMode: ctx.checkMode,
  });
  if (ctx.checkMode) return notRun(ctx, true);
  return incusChange(ctx, args, `${args.slice(0, 2).join(' ')} ${args.slice(2).join(' ')}`);
}

/** True when one of the instance's devices (its own or from profiles) is a nic on that network. */
function onNetwork(devices: Record<string, Record<string, string>> | undefined, network: string): boolean {
  return Object.values(devices ?? {}).some((d) => d.type === 'nic' && d.network === network);
}

const networkArg = arg('network', z.string().min(1), 'the network');
const instanceArg = arg('instance', z.string().min(1), 'the instance');
const profileArg = arg('profile', z.string().min(1), 'the profile');

export const networkAttach = fn({
  doc: 'Attaches an instance to a network (a nic device named after it); changed = false when one of its nics is on that network.',
  args: [networkArg, instanceArg],
  returns: RESULT,
  examples: ['incus.network_attach("web-dmz", "web-01")'],
  run: async ([network, instance], ctx) => {
    const info = await instanceOf(ctx, instance);
    if (onNetwork(info?.expanded_devices, network)) return notRun(ctx, false);
    return link(ctx, instance, `network/${network}`, false, ['network', 'attach', network, instance]);
  },
});

export const networkDetach = fn({
  doc: 'Detaches an instance from a network; changed = false when it is not on it.',
  args: [networkArg, instanceArg],
  returns: RESULT,
  examples: ['incus.network_detach("web-dmz", "web-01")'],
  run: async ([network, instance], ctx) => {
    const info = await instanceOf(ctx, instance);
    if (info && !onNetwork(info.expanded_devices, network)) return notRun(ctx, false);
    return link(ctx, instance, `network/${network}`, true, ['network', 'detach', network, instance]);
  },
});

export const profileApply = fn({
  doc: "Adds a profile to an instance's profiles; changed = false when it has it.",
  args: [profileArg, instanceArg],
  returns: RESULT,
  examples: ['incus.profile_apply("web-server", "web-01")'],
  run: async ([profile, instance], ctx) => {
    const info = await instanceOf(ctx, instance);
    if (info?.profiles?.includes(profile)) return notRun(ctx, false);
    return link(ctx, instance, `profile/${profile}`, false, ['profile', 'add', instance, profile]);
  },
});

export const profileRemoveFrom = fn({
  doc: "Removes a profile from an instance's profiles; changed = false when it does not have it.",
  args: [profileArg, instanceArg],
  returns: RESULT,
  examples: ['incus.profile_remove_from("web-server", "web-01")'],
  run: async ([profile, instance], ctx) => {
    const info = await instanceOf(ctx, instance);
    if (info && !info.profiles?.includes(profile)) return notRun(ctx, false);
    return link(ctx, instance, `profile/${profile}`, true, ['profile', 'remove', instance, profile]);
  },
});
