import {
  arg,
  changeResult,
  converge,
  fn,
  luaList,
  luaTable,
  type ModuleCallContext,
  SlothError,
  strictTable,
  z,
} from '@sloth/core';
import { missingGroups, readUser, userWithUid } from './facts.js';
import { idSchema, nameSchema } from './names.js';
import { absentUserResource, type UserDesired, userResource } from './user-resource.js';

const stringList = luaList(z.array(z.string()));

const createOptions = luaTable(
  strictTable({
    username: nameSchema.optional(),
    name: nameSchema.optional(),
    uid: idSchema.optional(),
    group: nameSchema.optional(),
    groups: luaList(z.array(nameSchema)).optional(),
    append: z.boolean().optional(),
    shell: z.string().min(1).optional(),
    home: z.string().startsWith('/', 'expected an absolute path').optional(),
    create_home: z.boolean().optional(),
    system: z.boolean().optional(),
    comment: z
      .string()
      .refine((c) => !/[:\n]/.test(c), "a comment cannot contain ':' or a newline")
      .optional(),
    // Not echoed in messages: a bad value is described, never shown.
    password: z
      .string()
      .refine((p) => /^[$!*]/.test(p) && !/[:\n]/.test(p), {
        message:
          'expected a crypt hash (from crypto.password_hash(...), `openssl passwd -6` or `mkpasswd`), not a clear-text password',
      })
      .optional(),
    ssh_authorized_keys: stringList.optional(),
  }),
  'expected a table of options like { username = "deploy", shell = "/bin/bash" }, got a list',
);

/** `username` or its alias `name`: one of them, and the same when both are given. */
function userName(ctx: ModuleCallContext, opts: { username?: string | undefined; name?: string | undefined }): string {
  const name = opts.username ?? opts.name;
  if (name === undefined) {
    throw new SlothError('invalid_argument', `${ctx.fn}: expected username (or name)`, {
      hint: `${ctx.fn}({ username = "deploy" })`,
    });
  }
  if (opts.username !== undefined && opts.name !== undefined && opts.username !== opts.name) {
    throw new SlothError('invalid_argument', `${ctx.fn}: username '${opts.username}' and name '${opts.name}' differ`, {
      hint: 'name is an alias of username: give one of them',
    });
  }
  return name;
}

/**
 * A group a real run needs and that does not exist: an error, except in check mode, where an earlier step that
 * would create it did not run; there it is a warning.
 */
export function missingDependency(ctx: ModuleCallContext, message: string, hint: string): void {
  if (!ctx.checkMode) throw new SlothError('not_found', `${ctx.fn}: ${message}`, { hint });
  ctx.log.log('warn', `${ctx.fn}: ${message} (check mode: a real run fails unless an earlier step creates it)`);
}

/** What a uid or a group named in the options must be before anything changes. */
async function checkReferences(ctx: ModuleCallContext, name: string, desired: UserDesired): Promise<void> {
  if (desired.uid !== undefined) {
    const owner = await userWithUid(ctx, desired.uid);
    if (owner !== undefined && owner !== name) {
      throw new SlothError('conflict', `${ctx.fn}: uid ${desired.uid} is taken by user '${owner}'`, {
        hint: `choose another uid for '${name}', or leave uid out to let the system pick one`,
      });
    }
  }
  const named = [...new Set([...(desired.group === undefined ? [] : [desired.group]), ...(desired.groups ?? [])])];
  const missing = await missingGroups(ctx, named);
  if (missing.length > 0) {
    const list = missing.map((g) => `'${g}'`).join(', ');
    missingDependency(
      ctx,
      `unknown group${missing.length > 1 ? 's' : ''} ${list} for user '${name}'`,
      `create it first with user.group_create({ name = ${JSON.stringify(missing[0])} })`,
    );
  }
}

export const create = fn({
  doc:
    'Creates a user, or brings an existing one to the properties given (the others are left alone). groups are ' +
    'added to the ones the user has (append = false: they replace them). password is a crypt hash, never shown. ' +
    'ssh_authorized_keys are added to ~/.ssh/authorized_keys, keeping the keys already there.',
  args: [
    arg(
      'opts',
      createOptions,
      '{ username | name, uid, group, groups, append = true, shell, home, create_home = true, system, comment, password, ssh_authorized_keys }',
    ),
  ],
  returns: '{ changed, changes = { prop = { old, new } }, check_mode, name }',
  examples: [
    'user.create({ username = "webuser" })',
    'user.create({ name = "webapp", home = "/home/webapp", shell = "/bin/bash" })',
    'local r = user.create({ username = "deploy", groups = { "docker" }, ssh_authorized_keys = { "ssh-ed25519 AAAA... deploy@ci" } })\nif r.changed then log.info("deploy: " .. json.encode(r.changes)) end',
  ],
  run: async ([opts], ctx) => {
    const name = userName(ctx, opts);
    const { username: _u, name: _n, ...rest } = opts;
    const desired = userDesired(rest);
    await checkReferences(ctx, name, desired);
    const outcome = await converge(userResource, name, desired, ctx);
    return changeResult(outcome, { name });
  },
});

function userDesired(opts: Omit<z.output<typeof createOptions>, 'username' | 'name'>): UserDesired {
  return { ...opts, append: opts.append ?? true, create_home: opts.create_home ?? true };
}

export const remove = fn({
  doc: 'Removes a user if it exists; remove_home = true also deletes its home directory and mail spool.',
  args: [
    arg(
      'opts',
      // A bare name is the same as { username = name }.
      z.preprocess(
        (v) => (typeof v === 'string' ? { username: v } : v),
        luaTable(
          strictTable({ username: nameSchema.optional(), name: nameSchema.optional(), remove_home: z.boolean().optional() }),
        ),
      ),
      '{ username | name, remove_home = false }, or the user name',
    ),
  ],
  returns: '{ changed, changes = { exists = { old, new } }, check_mode, name }',
  examples: ['user.remove({ username = "olduser", remove_home = true })', 'user.remove("olduser")'],
  run: async ([opts], ctx) => {
    const name = userName(ctx, opts);
    const outcome = await converge(absentUserResource, name, { remove_home: opts.remove_home ?? false }, ctx);
    return changeResult(outcome, { name });
  },
});

const nameArg = arg('name', nameSchema, 'the user name');

export const exists = fn({
  doc: 'Whether a user exists.',
  args: [nameArg],
  returns: 'boolean',
  examples: ['if not user.exists("deploy") then log.warn("no deploy user yet") end'],
  run: async ([name], ctx) => (await readUser(ctx, name)) !== undefined,
});

export const info = fn({
  doc: 'What the system says of a user: uid, gid, its primary group, supplementary groups, home, shell and comment; nil when there is no such user.',
  args: [nameArg],
  returns: '{ name, uid, gid, group, groups, home, shell, comment } or nil',
  examples: ['local u = user.info("root")\nlog.info(u.home .. " " .. u.shell)'],
  run: async ([name], ctx) => {
    const facts = await readUser(ctx, name);
    if (!facts) return undefined;
    const { passwordHash: _p, authorizedKeys: _k, ...shown } = facts;
    return shown;
  },
});
