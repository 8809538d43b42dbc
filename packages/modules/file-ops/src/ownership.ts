import { type HostAccount, type ModuleCallContext, SlothError } from '@sloth/core';

/** The owner and group a call asks for, looked up on the host: unknown names are errors before anything changes. */
export interface WantedOwnership {
  user?: HostAccount | undefined;
  group?: HostAccount | undefined;
}

export async function lookupOwnership(
  ctx: ModuleCallContext,
  owner: string | number | undefined,
  group: string | number | undefined,
): Promise<WantedOwnership> {
  const user = owner === undefined ? undefined : await ctx.host.lookupUser(owner);
  if (owner !== undefined && !user) {
    throw new SlothError('invalid_argument', `${ctx.fn}: owner '${owner}': no such user on ${ctx.host.name}`, {
      hint: 'create the user first, or give a numeric uid',
    });
  }
  const found = group === undefined ? undefined : await ctx.host.lookupGroup(group);
  if (group !== undefined && !found) {
    throw new SlothError('invalid_argument', `${ctx.fn}: group '${group}': no such group on ${ctx.host.name}`, {
      hint: 'create the group first, or give a numeric gid',
    });
  }
  return { user, group: found };
}
