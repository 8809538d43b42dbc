import type { ModuleCallContext, ResourceReadback } from '@sloth/core';
import { readGroup, readUser } from './facts.js';
import { isMember } from './group-resource.js';

/**
 * The user drift hook: reads back what `user.create` (type "user"), `user.group_create` (type "group") and
 * `user.add_to_group` (type "group_membership") recorded. Only the recorded properties are read back. Recorded
 * `groups` are compared as the call managed them: with append (the default), those of them the user is still in;
 * with `append = false`, all of the user's supplementary groups.
 */
export async function readUserResource(
  type: string,
  name: string,
  properties: Record<string, unknown>,
  ctx: ModuleCallContext,
): Promise<ResourceReadback | undefined> {
  if (type === 'user') {
    const facts = await readUser(ctx, name);
    if (!facts) return { exists: false };
    const current: Record<string, unknown> = {};
    for (const key of ['name', 'uid', 'group', 'shell', 'home', 'comment'] as const) {
      if (key in properties) current[key] = facts[key];
    }
    if (Array.isArray(properties.groups)) {
      const recorded = properties.groups as unknown[];
      current.groups = properties.append === false ? facts.groups : facts.groups.filter((g) => recorded.includes(g));
    }
    if ('append' in properties) current.append = properties.append;
    return { exists: true, properties: current };
  }
  if (type === 'group') {
    const facts = await readGroup(ctx, name);
    if (!facts) return { exists: false };
    return { exists: true, properties: 'gid' in properties ? { name: facts.name, gid: facts.gid } : { name: facts.name } };
  }
  if (type === 'group_membership' && typeof properties.user === 'string' && typeof properties.group === 'string') {
    const member = await isMember(ctx, properties.user, properties.group);
    return member ? { exists: true, properties: { user: properties.user, group: properties.group } } : { exists: false };
  }
  return undefined;
}
