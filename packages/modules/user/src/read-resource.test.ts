import { call, testContext } from '@sloth/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { readUserResource } from './read-resource.js';
import { userModule } from './user-module.js';
import { byHand, cleanUp, throwAwayName } from './user-test.test-helper.js';

afterEach(cleanUp);

/** What the run's stack records for the call (as the engine does), then read back as `stack drift` does. */
async function recordOf(fn: string, args: unknown[]) {
  const { ctx, resources } = testContext();
  await call(userModule, fn, args, ctx);
  const outcome = resources[0];
  if (!outcome?.record) throw new Error(`${fn} recorded nothing`);
  return { type: outcome.type, name: outcome.name, record: outcome.record };
}
const readBack = (r: { type: string; name: string; record: Record<string, unknown> }) =>
  readUserResource(r.type, r.name, r.record, testContext({ checkMode: true }).ctx);

describe('the user drift hook', () => {
  it('reads a user back as recorded, then sees a shell changed, a group left and the user deleted by hand', async () => {
    const [name, g1, g2] = [throwAwayName(), throwAwayName(), throwAwayName()];
    byHand(['groupadd', g1 as string]);
    byHand(['groupadd', g2 as string]);
    const r = await recordOf('create', [{ username: name, shell: '/bin/bash', groups: [g1, g2], uid: 4567 }]);
    expect(r).toEqual({
      type: 'user',
      name,
      record: { name, uid: 4567, shell: '/bin/bash', groups: [g1, g2].sort() },
    });
    expect(JSON.stringify(r.record)).not.toContain('password');
    expect(await readBack(r)).toEqual({ exists: true, properties: r.record });

    byHand(['usermod', '-s', '/bin/sh', name]);
    byHand(['gpasswd', '-d', name, g1 as string]);
    expect(await readBack(r)).toEqual({
      exists: true,
      properties: { name, uid: 4567, shell: '/bin/sh', groups: [g2] },
    });
    byHand(['userdel', name]);
    expect(await readBack(r)).toEqual({ exists: false });
  });

  it('with append = false, any other group the user joined is drift', async () => {
    const [name, g1, g2] = [throwAwayName(), throwAwayName(), throwAwayName()];
    byHand(['groupadd', g1 as string]);
    byHand(['groupadd', g2 as string]);
    const r = await recordOf('create', [{ username: name, groups: [g1], append: false }]);
    expect(r.record).toEqual({ name, groups: [g1], append: false });
    expect(await readBack(r)).toEqual({ exists: true, properties: r.record });
    byHand(['gpasswd', '-a', name, g2 as string]);
    expect((await readBack(r))?.properties?.groups).toEqual([g1, g2].sort());
  });

  it('reads back groups and memberships; other types are not checkable', async () => {
    const [name, g] = [throwAwayName(), throwAwayName()];
    const group = await recordOf('group_create', [{ name: g, gid: 4568 }]);
    expect(group).toEqual({ type: 'group', name: g, record: { name: g, gid: 4568 } });
    expect(await readBack(group)).toEqual({ exists: true, properties: group.record });
    byHand(['useradd', name]);
    const member = await recordOf('add_to_group', [name, g]);
    expect(member).toEqual({ type: 'group_membership', name: `${name}:${g}`, record: { user: name, group: g } });
    expect(await readBack(member)).toEqual({ exists: true, properties: member.record });
    byHand(['gpasswd', '-d', name, g]);
    expect(await readBack(member)).toEqual({ exists: false });
    byHand(['groupmod', '-g', '4569', g]);
    expect(await readBack(group)).toEqual({ exists: true, properties: { name: g, gid: 4569 } });
    expect(await readUserResource('file', '/x', {}, testContext().ctx)).toBeUndefined();
  });
});
