import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, failure, testContext } from '@sloth/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { runTool } from './facts.js';
import { userModule } from './user-module.js';
import { accountMtimes, byHand, cleanUp, getent, recordingHost, throwAwayName } from './user-test.test-helper.js';

afterEach(cleanUp);

type Result = { changed: boolean; changes: Record<string, { old: unknown; new: unknown }>; check_mode: boolean };
const create = async (opts: Record<string, unknown>, checkMode = false) => {
  const t = testContext({ checkMode });
  const r = (await call(userModule, 'create', [opts], t.ctx)) as Result;
  return { r, ...t };
};
const shellOf = (name: string) => getent('passwd', name)?.split(':')[6];
const groupsOf = (name: string) => byHand(['id', '-Gn', name]).trim().split(' ').slice(1).sort();

describe('user.create', () => {
  it('creates a user with its home, then an identical call changes nothing and runs no modifying command', async () => {
    const name = throwAwayName();
    const { r, resources } = await create({ name, home: `/home/${name}`, shell: '/bin/bash' });
    expect(r).toMatchObject({
      changed: true,
      check_mode: false,
      name,
      changes: { exists: { old: false, new: true }, shell: { old: undefined, new: '/bin/bash' } },
    });
    expect(getent('passwd', name)).toMatch(new RegExp(`^${name}:x:\\d+:\\d+::/home/${name}:/bin/bash$`));
    expect(statSync(`/home/${name}`).isDirectory()).toBe(true);
    expect(resources[0]?.record).toEqual({ name, home: `/home/${name}`, shell: '/bin/bash' });

    const before = accountMtimes();
    const t = testContext();
    const rec = recordingHost(t.ctx);
    const again = (await call(userModule, 'create', [{ name, home: `/home/${name}`, shell: '/bin/bash' }], rec.ctx)) as Result;
    expect(again).toMatchObject({ changed: false, changes: {} });
    expect(rec.commands.length).toBeGreaterThan(0);
    expect(rec.modifying()).toEqual([]);
    expect(accountMtimes()).toEqual(before);
    expect(t.resources.map((o) => o.changed)).toEqual([false]);
  });

  it('takes { username = ... } alone, as the seed README writes it', async () => {
    const name = throwAwayName();
    expect((await create({ username: name })).r.changed).toBe(true);
    expect(getent('passwd', name)).toBeDefined();
    expect((await create({ username: name })).r.changed).toBe(false);
  });

  it('changes only what differs on an existing user, with the old and new value', async () => {
    const name = throwAwayName();
    byHand(['useradd', '-s', '/bin/sh', name]);
    const { r } = await create({ username: name, shell: '/bin/bash', comment: 'Web App' });
    expect(r.changes).toEqual({
      shell: { old: '/bin/sh', new: '/bin/bash' },
      comment: { old: '', new: 'Web App' },
    });
    expect(shellOf(name)).toBe('/bin/bash');
    expect(getent('passwd', name)?.split(':')[4]).toBe('Web App');
  });

  it('adds groups to the ones the user has by default, and replaces them with append = false', async () => {
    const [name, g1, g2, g3] = [throwAwayName(), throwAwayName(), throwAwayName(), throwAwayName()];
    for (const g of [g1, g2, g3]) byHand(['groupadd', g as string]);
    byHand(['useradd', '-G', g1 as string, name]);
    const added = await create({ username: name, groups: [g2, g3] });
    expect(added.r.changes).toEqual({ groups: { old: [g1], new: [g1, g2, g3].sort() } });
    expect(groupsOf(name)).toEqual([g1, g2, g3].sort());
    expect((await create({ username: name, groups: [g2] })).r.changed).toBe(false);

    const replaced = await create({ username: name, groups: [g2], append: false });
    expect(replaced.r.changes).toEqual({ groups: { old: [g1, g2, g3].sort(), new: [g2] } });
    expect(groupsOf(name)).toEqual([g2]);
    expect((await create({ username: name, groups: [g2], append: false })).r.changed).toBe(false);
    expect((await create({ username: name, groups: [], append: false })).r.changes).toEqual({ groups: { old: [g2], new: [] } });
    expect(groupsOf(name)).toEqual([]);
  });

  it('uses an existing group of the same name as primary group, as after user.group_create', async () => {
    const name = throwAwayName();
    byHand(['groupadd', name]);
    expect((await create({ username: name })).r.changed).toBe(true);
    expect(byHand(['id', '-gn', name]).trim()).toBe(name);
  });

  it('in check mode reports what it would change and changes nothing', async () => {
    const name = throwAwayName();
    const before = accountMtimes();
    const { r, resources } = await create({ username: name, shell: '/bin/bash' }, true);
    expect(r).toMatchObject({ changed: true, check_mode: true, changes: { exists: { old: false, new: true } } });
    expect(resources[0]?.record).toBeUndefined();
    expect(getent('passwd', name)).toBeUndefined();
    expect(accountMtimes()).toEqual(before);

    byHand(['useradd', '-s', '/bin/sh', name]);
    const existing = await create({ username: name, shell: '/bin/bash', groups: ['nosuchgroup_x'] }, true);
    expect(existing.r.changes.shell).toEqual({ old: '/bin/sh', new: '/bin/bash' });
    // A group an earlier step would create in a real run: a warning, not an error, in check mode.
    expect(existing.lines.map((l) => l.message).join('\n')).toMatch(/unknown group 'nosuchgroup_x'.*check mode/);
    expect(shellOf(name)).toBe('/bin/sh');
  });

  it('sets a password hash through stdin and never shows it: not in the result, the outcome, the record or the logs', async () => {
    const name = throwAwayName();
    const hash = '$6$saltsalt$8XsAtlgvJ2F2uMBYXyjZL0qCpuQw3cq6TlgDvMqwGpkGZxDpIe6tFcAdmcQaFCwUGW6ksdIaMjbVnPoPyBu2f1';
    const { r, resources, lines } = await create({ username: name, password: hash });
    expect(getent('shadow', name)?.split(':')[1]).toBe(hash);
    expect(r.changes.password).toEqual({ old: undefined, new: '(hidden)' });
    const again = await create({ username: name, password: hash });
    expect(again.r.changed).toBe(false);
    const other = await create({ username: name, password: '$6$other$abc' });
    expect(other.r.changes.password).toEqual({ old: '(hidden)', new: '(hidden)' });
    const shown = JSON.stringify([r, resources, lines, again, other.r, other.resources, other.lines]);
    expect(shown).not.toContain('saltsalt');
    expect(shown).not.toContain('$6$other');
  });

  it('adds SSH keys to authorized_keys (0600 in a 0700 ~/.ssh, owned by the user), keeping the keys there', async () => {
    const name = throwAwayName();
    byHand(['useradd', '-m', name]);
    const home = `/home/${name}`;
    mkdirSync(`${home}/.ssh`);
    writeFileSync(`${home}/.ssh/authorized_keys`, 'ssh-rsa AAAAexisting me@laptop\n');
    const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGsloth deploy@ci';
    const { r } = await create({ username: name, ssh_authorized_keys: [key] });
    expect(r.changes.ssh_authorized_keys).toEqual({
      old: ['ssh-rsa AAAAexisting me@laptop'],
      new: ['ssh-rsa AAAAexisting me@laptop', key],
    });
    expect(readFileSync(`${home}/.ssh/authorized_keys`, 'utf8')).toBe(`ssh-rsa AAAAexisting me@laptop\n${key}\n`);
    const uid = Number(getent('passwd', name)?.split(':')[2]);
    for (const [path, mode] of [
      [`${home}/.ssh`, 0o700],
      [`${home}/.ssh/authorized_keys`, 0o600],
    ] as const) {
      const s = statSync(path);
      expect([s.mode & 0o777, s.uid]).toEqual([mode, uid]);
    }
    // The same key with another comment is the same key.
    const again = await create({ username: name, ssh_authorized_keys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGsloth other'] });
    expect(again.r.changed).toBe(false);
  });

  it('writes the keys of a user it creates in the same call', async () => {
    const name = throwAwayName();
    const key = 'ssh-ed25519 AAAAfresh new@host';
    await create({ username: name, ssh_authorized_keys: [key] });
    expect(readFileSync(`/home/${name}/.ssh/authorized_keys`, 'utf8')).toBe(`${key}\n`);
  });
  it('a step that fails after the user was created says what did change', async () => {
    const name = throwAwayName();
    const home = mkdtempSync(join(tmpdir(), 'slothtest-home-'));
    symlinkSync(tmpdir(), `${home}/.ssh`);
    try {
      const opts = { username: name, home, create_home: false, ssh_authorized_keys: ['ssh-ed25519 AAAAk x@y'] };
      const err = await failure(call(userModule, 'create', [opts], testContext().ctx));
      expect(err.message).toMatch(
        new RegExp(
          `^user\\.create: writing ${home}/\\.ssh/authorized_keys failed \\(exit 3\\): .*symbolic link.* \\(user '${name}' was changed before that: created\\)$`,
        ),
      );
      expect(getent('passwd', name)).toBeDefined();
    } finally {
      rmSync(home, { recursive: true });
    }
  });
});

describe('user.create: bad input, refused before anything changes', () => {
  const message = async (opts: unknown) => {
    const before = accountMtimes();
    const err = await failure(call(userModule, 'create', [opts], testContext().ctx));
    expect(accountMtimes()).toEqual(before);
    return err.message;
  };

  it('a name with a space or invalid characters', async () => {
    expect(await message({ username: 'web user' })).toBe(
      "user.create: argument #1 (opts) field 'username': 'web user' contains a space",
    );
    expect(await message({ name: 'Web$x' })).toMatch(/field 'name': 'Web\$x' is not a valid name/);
    expect(await message({ name: 'x'.repeat(33) })).toMatch(/longer than 32 characters/);
  });

  it('a uid taken by another user, naming that user', async () => {
    const name = throwAwayName();
    expect(await message({ username: name, uid: 0 })).toBe("user.create: uid 0 is taken by user 'root'");
  });

  it('an unknown group', async () => {
    const name = throwAwayName();
    expect(await message({ username: name, groups: ['sudo_nosuch'] })).toBe(
      `user.create: unknown group 'sudo_nosuch' for user '${name}'`,
    );
    expect(await message({ username: name, group: 'nosuch_primary' })).toMatch(/unknown group 'nosuch_primary'/);
    expect(getent('passwd', name)).toBeUndefined();
  });

  it('an unknown key, with a did-you-mean', async () => {
    expect(await message({ username: 'x', shel: '/bin/bash' })).toMatch(
      /^user\.create: argument #1 \(opts\): unknown option 'shel' \(did you mean 'shell'\?\); options are username, name, /,
    );
  });

  it('a clear-text password (without echoing it) and a missing name', async () => {
    const msg = await message({ username: 'x', password: 'hunter2' });
    expect(msg).toMatch(/expected a crypt hash/);
    expect(msg).not.toContain('hunter2');
    expect(await message({ shell: '/bin/bash' })).toBe('user.create: expected username (or name)');
  });
});

describe('user.remove, exists and info', () => {
  it('removes a user and its home; a second call changes nothing', async () => {
    const name = throwAwayName();
    byHand(['useradd', '-m', name]);
    const { ctx } = testContext();
    expect(await call(userModule, 'exists', [name], ctx)).toBe(true);
    const r = (await call(userModule, 'remove', [{ username: name, remove_home: true }], ctx)) as Result;
    expect(r).toMatchObject({ changed: true, changes: { exists: { old: true, new: false } } });
    expect(getent('passwd', name)).toBeUndefined();
    expect(existsSync(`/home/${name}`)).toBe(false);
    expect(((await call(userModule, 'remove', [name], ctx)) as Result).changed).toBe(false);
    expect(await call(userModule, 'exists', [name], ctx)).toBe(false);
  });

  it('in check mode leaves the user there', async () => {
    const name = throwAwayName();
    byHand(['useradd', name]);
    const r = (await call(userModule, 'remove', [name], testContext({ checkMode: true }).ctx)) as Result;
    expect(r).toMatchObject({ changed: true, check_mode: true });
    expect(getent('passwd', name)).toBeDefined();
  });

  it('info says uid, gid, groups, home, shell and comment; nil for no such user', async () => {
    const [name, g] = [throwAwayName(), throwAwayName()];
    byHand(['groupadd', g as string]);
    byHand(['useradd', '-u', '4321', '-G', g as string, '-s', '/bin/bash', '-c', 'Someone', name]);
    const { ctx } = testContext();
    expect(await call(userModule, 'info', [name], ctx)).toEqual({
      name,
      uid: 4321,
      gid: Number(getent('group', name)?.split(':')[2]),
      group: name,
      groups: [g],
      home: `/home/${name}`,
      shell: '/bin/bash',
      comment: 'Someone',
    });
    expect(await call(userModule, 'info', ['slothtest_nobody'], ctx)).toBeUndefined();
  });
});

describe('groups', () => {
  it('group_create and group_remove are idempotent; a gid taken by another group is refused', async () => {
    const name = throwAwayName();
    const { ctx } = testContext();
    const made = (await call(userModule, 'group_create', [{ name, gid: 4444 }], ctx)) as Result;
    expect(made.changes).toEqual({ exists: { old: false, new: true }, gid: { old: undefined, new: 4444 } });
    expect(getent('group', name)).toBe(`${name}:x:4444:`);
    expect(((await call(userModule, 'group_create', [{ name, gid: 4444 }], ctx)) as Result).changed).toBe(false);
    expect(((await call(userModule, 'group_create', [{ name, gid: 4445 }], ctx)) as Result).changes).toEqual({
      gid: { old: 4444, new: 4445 },
    });
    const other = throwAwayName();
    expect((await failure(call(userModule, 'group_create', [{ name: other, gid: 4445 }], ctx))).message).toBe(
      `user.group_create: gid 4445 is taken by group '${name}'`,
    );
    expect(((await call(userModule, 'group_remove', [name], ctx)) as Result).changes).toEqual({
      exists: { old: true, new: false },
    });
    expect(getent('group', name)).toBeUndefined();
    expect(((await call(userModule, 'group_remove', [name], ctx)) as Result).changed).toBe(false);
  });

  it('add_to_group adds once and then changes nothing; an unknown user or group is an error', async () => {
    const [name, g] = [throwAwayName(), throwAwayName()];
    byHand(['groupadd', g as string]);
    byHand(['useradd', name]);
    const { ctx } = testContext();
    const first = (await call(userModule, 'add_to_group', [name, g], ctx)) as Result;
    expect(first.changes).toEqual({ member: { old: false, new: true } });
    expect(groupsOf(name)).toEqual([g]);
    const before = accountMtimes();
    expect(((await call(userModule, 'add_to_group', [name, g], ctx)) as Result).changed).toBe(false);
    expect(accountMtimes()).toEqual(before);
    expect((await failure(call(userModule, 'add_to_group', ['slothtest_nobody', g], ctx))).message).toBe(
      "user.add_to_group: no user 'slothtest_nobody'",
    );
    expect((await failure(call(userModule, 'add_to_group', [name, 'slothtest_nogroup'], ctx))).message).toBe(
      "user.add_to_group: no group 'slothtest_nogroup'",
    );
    // In check mode an earlier step may have been meant to create them: a warning, and the change it would make.
    const check = testContext({ checkMode: true });
    const would = (await call(userModule, 'add_to_group', ['slothtest_nobody', g], check.ctx)) as Result;
    expect(would).toMatchObject({ changed: true, check_mode: true, changes: { member: { old: false, new: true } } });
    expect(check.lines.map((l) => [l.level, l.message])).toEqual([
      ['warn', "user.add_to_group: no user 'slothtest_nobody' (check mode: a real run fails unless an earlier step creates it)"],
    ]);
  });
});

describe('the tools', () => {
  it('a missing tool says which, and that BusyBox adduser is not supported yet', async () => {
    const err = await failure(runTool({ ...testContext().ctx, fn: 'user.create' }, ['slothtest-no-such-tool', 'x']));
    expect(err.message).toBe("user.create: 'slothtest-no-such-tool' is not installed on local");
    expect(err.hint).toMatch(/BusyBox adduser\/addgroup \(bare Alpine\) is not supported yet/);
  });

  it('a failing tool says what it said', async () => {
    const err = await failure(runTool({ ...testContext().ctx, fn: 'user.remove' }, ['userdel', 'slothtest_nobody']));
    expect(err.message).toBe("user.remove: userdel failed (exit 6): userdel: user 'slothtest_nobody' does not exist");
  });

  it('a tool that does not finish in time is stopped, with what to look at', async () => {
    const err = await failure(runTool({ ...testContext().ctx, fn: 'user.create' }, ['sleep', '30'], { timeoutMs: 200 }));
    expect(err.code).toBe('timeout');
    expect(err.hint).toMatch(/lock on \/etc\/passwd/);
  });

  it('keys are never written through a symlink: authorized_keys is replaced, a symlinked ~/.ssh refused', async () => {
    const name = throwAwayName();
    byHand(['useradd', '-m', name]);
    const home = `/home/${name}`;
    const elsewhere = `${home}/elsewhere`;
    writeFileSync(elsewhere, 'not keys\n');
    mkdirSync(`${home}/.ssh`);
    symlinkSync(elsewhere, `${home}/.ssh/authorized_keys`);
    await create({ username: name, ssh_authorized_keys: ['ssh-ed25519 AAAAone a@b'] });
    expect(readFileSync(elsewhere, 'utf8')).toBe('not keys\n');
    expect(lstatSync(`${home}/.ssh/authorized_keys`).isFile()).toBe(true);

    rmSync(`${home}/.ssh`, { recursive: true });
    mkdirSync(`${home}/real`);
    symlinkSync(`${home}/real`, `${home}/.ssh`);
    const err = await failure(
      call(userModule, 'create', [{ username: name, ssh_authorized_keys: ['ssh-ed25519 AAAAtwo c@d'] }], testContext().ctx),
    );
    expect(err.message).toMatch(/\.ssh is a symbolic link: refusing to write through it/);
    expect(existsSync(`${home}/real/authorized_keys`)).toBe(false);
  });
});
