import { type Changes, defineResource, type ModuleCallContext, SlothError, z } from '@sloth/core';
import { mergeKeys, writeAuthorizedKeys } from './authorized-keys.js';
import { readGroup, readUser, runTool, type UserFacts } from './facts.js';

/** What a password change shows instead of the hash. */
export const HIDDEN = '(hidden)';

/** The desired state of a user: only the properties given are managed. */
export const userDesired = z.object({
  uid: z.number().int().optional(),
  group: z.string().optional(),
  groups: z.array(z.string()).optional(),
  /** true: the listed groups are added to the user's others; false: they replace them. */
  append: z.boolean().default(true),
  shell: z.string().optional(),
  home: z.string().optional(),
  comment: z.string().optional(),
  /** A crypt hash; compared with the shadow entry, never shown. */
  password: z.string().optional(),
  ssh_authorized_keys: z.array(z.string()).optional(),
  create_home: z.boolean().default(true),
  system: z.boolean().optional(),
});
export type UserDesired = z.output<typeof userDesired>;

const SCALARS = ['uid', 'group', 'shell', 'home', 'comment'] as const;
const sorted = (list: Iterable<string>) => [...new Set(list)].sort();

/** The supplementary groups asked for, without the primary group (which id lists too). */
function wantedGroups(desired: UserDesired, actual: UserFacts | undefined): string[] | undefined {
  if (!desired.groups) return undefined;
  const primary = desired.group ?? actual?.group;
  return sorted(desired.groups.filter((g) => g !== primary));
}

/** What differs; a user that does not exist gets `exists` and every property given. */
export function diffUser(desired: UserDesired, actual: UserFacts | undefined): Changes {
  const changes: Changes = {};
  if (!actual) changes.exists = { old: false, new: true };
  for (const key of SCALARS) {
    const want = desired[key];
    if (want !== undefined && actual?.[key] !== want) changes[key] = { old: actual?.[key], new: want };
  }
  const groups = wantedGroups(desired, actual);
  const have = actual?.groups ?? [];
  if (groups && (groups.length > 0 || actual)) {
    const next = desired.append ? sorted([...have, ...groups]) : groups;
    if (next.join(',') !== have.join(',')) changes.groups = { old: actual?.groups, new: next };
  }
  if (desired.password !== undefined && actual?.passwordHash !== desired.password) {
    changes.password = { old: actual?.passwordHash ? HIDDEN : undefined, new: HIDDEN };
  }
  if (desired.ssh_authorized_keys) {
    const { added, lines } = mergeKeys(actual?.authorizedKeys ?? [], desired.ssh_authorized_keys);
    if (added.length > 0) changes.ssh_authorized_keys = { old: actual?.authorizedKeys, new: lines };
  }
  return changes;
}

/** The user's own properties as useradd/usermod options (those that changed). */
function accountOptions(changes: Changes, desired: UserDesired): string[] {
  const argv: string[] = [];
  const flag = { uid: '-u', group: '-g', shell: '-s', home: '-d', comment: '-c' } as const;
  for (const key of SCALARS) if (changes[key]) argv.push(flag[key], String(desired[key]));
  return argv;
}

async function createUser(ctx: ModuleCallContext, name: string, changes: Changes, desired: UserDesired): Promise<void> {
  const argv = ['useradd', ...accountOptions(changes, desired)];
  // With USERGROUPS_ENAB (Debian's default) useradd refuses to make a user whose name is already a group's; that
  // group (made by user.group_create first, say) is what the user wants as primary group.
  if (desired.group === undefined && (await readGroup(ctx, name))) argv.push('-g', name);
  const groups = changes.groups?.new as string[] | undefined;
  if (groups && groups.length > 0) argv.push('-G', groups.join(','));
  if (desired.system) argv.push('-r');
  argv.push(desired.create_home ? '-m' : '-M', name);
  await runTool(ctx, argv);
}

async function modifyUser(ctx: ModuleCallContext, name: string, changes: Changes, desired: UserDesired): Promise<void> {
  const argv = accountOptions(changes, desired);
  if (changes.groups) {
    const groups = changes.groups.new as string[];
    // Appending names only the missing groups; replacing names them all (an empty list removes every other group).
    const missing = groups.filter((g) => !((changes.groups?.old as string[] | undefined) ?? []).includes(g));
    argv.push(...(desired.append ? ['-a', '-G', missing.join(',')] : ['-G', groups.join(',')]));
  }
  if (argv.length > 0) await runTool(ctx, ['usermod', ...argv, name]);
}

/** A user account, named by its login: created or brought to the properties given. */
export const userResource = defineResource({
  type: 'user',
  desired: userDesired,
  read: (ctx, name) => readUser(ctx, name, true),
  diff: diffUser,
  async apply(ctx, name, changes, desired) {
    const done: string[] = [];
    try {
      if (changes.exists) await createUser(ctx, name, changes, desired);
      else await modifyUser(ctx, name, changes, desired);
      if (changes.exists || accountOptions(changes, desired).length > 0 || changes.groups) {
        done.push(changes.exists ? 'created' : 'its account changed');
      }
      // The hash goes through stdin, never a command line (ps would show it).
      if (changes.password) {
        await runTool(ctx, ['chpasswd', '-e'], { stdin: `${name}:${desired.password}\n`, what: 'chpasswd' });
        done.push('its password set');
      }
      if (changes.ssh_authorized_keys) {
        const user = await readUser(ctx, name);
        if (!user) throw new SlothError('internal', `${ctx.fn}: user '${name}' vanished while its keys were written`);
        await writeAuthorizedKeys(ctx, user, changes.ssh_authorized_keys.new as string[]);
      }
    } catch (err) {
      // A failure after a first step: say what did change, since the call reports no outcome.
      if (done.length === 0 || !(err instanceof SlothError)) throw err;
      throw new SlothError(err.code, `${err.message} (user '${name}' was changed before that: ${done.join(', ')})`, {
        hint: err.hint,
        cause: err,
      });
    }
  },
  // What `stack drift` compares: the managed properties, never the password or the keys.
  record(name, desired) {
    const props: Record<string, unknown> = { name };
    for (const key of SCALARS) if (desired[key] !== undefined) props[key] = desired[key];
    const groups = wantedGroups(desired, undefined);
    if (groups) props.groups = groups;
    if (!desired.append) props.append = false;
    return props;
  },
});

/** A user that must not exist; `remove_home` also deletes its home directory and mail spool. */
export const absentUserResource = defineResource({
  type: 'user',
  desired: z.object({ remove_home: z.boolean().default(false) }),
  read: (ctx, name) => readUser(ctx, name),
  diff: (_desired, actual: UserFacts | undefined): Changes => (actual ? { exists: { old: true, new: false } } : {}),
  async apply(ctx, name, _changes, desired) {
    await runTool(ctx, ['userdel', ...(desired.remove_home ? ['-r'] : []), name]);
  },
});
