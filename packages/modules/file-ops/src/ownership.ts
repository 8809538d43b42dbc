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
  return {
    user: owner === undefined ? undefined : known(ctx, 'user', owner, await ctx.host.lookupUser(owner)),
    group: group === undefined ? undefined : known(ctx, 'group', group, await ctx.host.lookupGroup(group)),
  };
}

/**
 * A looked-up account, or an error naming it. In check mode an unknown name is reported as a change instead: an
 * earlier task that would create it did not run (its id is -1, which no file has).
 */
function known(
  ctx: ModuleCallContext,
  kind: 'user' | 'group',
  name: string | number,
  found: HostAccount | undefined,
): HostAccount {
  if (found) return found;
  const field = kind === 'user' ? 'owner' : 'group';
  if (ctx.checkMode) {
    ctx.log.log(
      'warn',
      `${ctx.fn}: ${field} '${name}': no such ${kind} on ${ctx.host.name} yet (check mode: reported as a change)`,
    );
    return { id: -1, name: String(name) };
  }
  throw new SlothError('invalid_argument', `${ctx.fn}: ${field} '${name}': no such ${kind} on ${ctx.host.name}`, {
    hint: `create the ${kind} first, or give a numeric ${kind === 'user' ? 'uid' : 'gid'}`,
  });
}
