import { arg, changeResult, converge, fn, luaTable, type ModuleCallContext, SlothError, strictTable, z } from '@sloth/core';
import { readGroup, readUser } from './facts.js';
import { absentGroupResource, groupResource, membershipName, membershipResource } from './group-resource.js';
import { idSchema, nameSchema } from './names.js';
import { missingDependency } from './user-functions.js';

const groupOptions = luaTable(
  strictTable({ name: nameSchema, gid: idSchema.optional(), system: z.boolean().optional() }),
  'expected a table of options like { name = "deploy", gid = 2000 }, got a list',
);

/** A gid held by another group is refused before anything changes. */
async function checkGid(ctx: ModuleCallContext, name: string, gid: number | undefined): Promise<void> {
  if (gid === undefined) return;
  const holder = await readGroup(ctx, gid);
  if (holder && holder.name !== name) {
    throw new SlothError('conflict', `${ctx.fn}: gid ${gid} is taken by group '${holder.name}'`, {
      hint: `choose another gid for '${name}', or leave gid out to let the system pick one`,
    });
  }
}

export const groupCreate = fn({
  doc: 'Creates a group, or gives an existing one the gid asked for; system = true makes a system group.',
  args: [arg('opts', groupOptions, '{ name, gid, system }')],
  returns: '{ changed, changes = { prop = { old, new } }, check_mode, name }',
  examples: ['user.group_create({ name = "deploy" })', 'user.group_create({ name = "app", gid = 2000, system = true })'],
  run: async ([opts], ctx) => {
    await checkGid(ctx, opts.name, opts.gid);
    const outcome = await converge(groupResource, opts.name, { gid: opts.gid, system: opts.system }, ctx);
    return changeResult(outcome, { name: opts.name });
  },
});

export const groupRemove = fn({
  doc: "Removes a group if it exists (groupdel refuses a user's primary group: remove or move the user first).",
  args: [arg('name', nameSchema, 'the group name')],
  returns: '{ changed, changes = { exists = { old, new } }, check_mode, name }',
  examples: ['user.group_remove("oldteam")'],
  run: async ([name], ctx) => changeResult(await converge(absentGroupResource, name, {}, ctx), { name }),
});

export const addToGroup = fn({
  doc: 'Adds an existing user to an existing group, leaving its other groups alone.',
  args: [arg('user', nameSchema, 'the user name'), arg('group', nameSchema, 'the group name')],
  returns: '{ changed, changes = { member = { old, new } }, check_mode, user, group }',
  examples: ['user.add_to_group("deploy", "docker")'],
  run: async ([user, group], ctx) => {
    if (!(await readUser(ctx, user))) {
      missingDependency(ctx, `no user '${user}'`, `create it first with user.create({ username = "${user}" })`);
    }
    if (!(await readGroup(ctx, group))) {
      missingDependency(ctx, `no group '${group}'`, `create it first with user.group_create({ name = "${group}" })`);
    }
    const outcome = await converge(membershipResource, membershipName(user, group), { member: true }, ctx);
    return changeResult(outcome, { user, group });
  },
});
