import { type Changes, defineResource, z } from '@sloth/core';
import { type GroupFacts, readGroup, readUser, runTool } from './facts.js';

/** A group, named by its name: created, or given the gid asked for. */
export const groupResource = defineResource({
  type: 'group',
  desired: z.object({ gid: z.number().int().optional(), system: z.boolean().optional() }),
  read: (ctx, name) => readGroup(ctx, name),
  diff(desired, actual: GroupFacts | undefined): Changes {
    const changes: Changes = actual ? {} : { exists: { old: false, new: true } };
    if (desired.gid !== undefined && actual?.gid !== desired.gid) changes.gid = { old: actual?.gid, new: desired.gid };
    return changes;
  },
  async apply(ctx, name, changes, desired) {
    const gid = changes.gid ? ['-g', String(desired.gid)] : [];
    if (changes.exists) await runTool(ctx, ['groupadd', ...gid, ...(desired.system ? ['-r'] : []), name]);
    else await runTool(ctx, ['groupmod', ...gid, name]);
  },
  record: (name, desired) => (desired.gid === undefined ? { name } : { name, gid: desired.gid }),
});

/** A group that must not exist. */
export const absentGroupResource = defineResource({
  type: 'group',
  desired: z.object({}),
  read: (ctx, name) => readGroup(ctx, name),
  diff: (_desired, actual: GroupFacts | undefined): Changes => (actual ? { exists: { old: true, new: false } } : {}),
  async apply(ctx, name) {
    await runTool(ctx, ['groupdel', name]);
  },
});

/** "user:group", the name of a membership. */
export const membershipName = (user: string, group: string) => `${user}:${group}`;

/** Whether `user` is in `group` (its primary group counts); false when the user does not exist. */
export async function isMember(ctx: Parameters<typeof readUser>[0], user: string, group: string): Promise<boolean> {
  const facts = await readUser(ctx, user);
  return facts !== undefined && (facts.group === group || facts.groups.includes(group));
}

/** A user's membership of a group, named "user:group": added when missing, others left alone. */
export const membershipResource = defineResource({
  type: 'group_membership',
  desired: z.object({ member: z.literal(true) }),
  async read(ctx, name) {
    const [user = '', group = ''] = name.split(':');
    return { member: await isMember(ctx, user, group) };
  },
  async apply(ctx, name) {
    const [user = '', group = ''] = name.split(':');
    await runTool(ctx, ['gpasswd', '-a', user, group]);
  },
  record: (name) => {
    const [user, group] = name.split(':');
    return { user, group };
  },
});
