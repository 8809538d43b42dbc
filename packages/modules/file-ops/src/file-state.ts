import { join } from 'node:path';
import {
  type Changes,
  changeResult,
  converge,
  defineResource,
  fn,
  type HostStat,
  type ModuleCallContext,
  SlothError,
  z,
} from '@sloth/core';
import { fileCall } from './errors.js';
import { attributeFields, formatMode, optionsTable, pathField } from './fields.js';
import {
  type ActualAttributes,
  applyAttributes,
  attributeChanges,
  convergeFile,
  namedAttributes,
  recordedAttributes,
  type WantedAttributes,
} from './managed-file.js';
import { lookupOwnership } from './ownership.js';
import { targetPath } from './paths.js';

const attributesSchema = {
  mode: z.number().optional(),
  uid: z.number().optional(),
  owner: z.string().optional(),
  gid: z.number().optional(),
  group: z.string().optional(),
};

/** What lies below a directory whose attributes differ from those asked (`recurse`), by path. */
async function differingBelow(ctx: ModuleCallContext, dir: string, wanted: WantedAttributes): Promise<string[]> {
  const out: string[] = [];
  for (const name of await ctx.host.readdir(dir)) {
    const path = join(dir, name);
    const info = await ctx.host.lstat(path);
    if (!info) continue;
    // A symlink's own mode means nothing on Linux; its owner is the link's, set without following it.
    const differs =
      (wanted.mode !== undefined && info.type !== 'link' && info.mode !== wanted.mode) ||
      (wanted.uid !== undefined && info.uid !== wanted.uid) ||
      (wanted.gid !== undefined && info.gid !== wanted.gid);
    if (differs) out.push(path);
    if (info.type === 'directory') out.push(...(await differingBelow(ctx, path, wanted)));
  }
  return out;
}

/**
 * A directory: its mode, owner and group, and with `recurse` those of everything below it. `followed` is the path's
 * stat (symlinks followed) the caller already read: read again, it would cost a round trip to a host over SSH.
 */
const directoryResource = (followed: HostStat | undefined) =>
  defineResource({
    type: 'directory',
    desired: z.object({ ...attributesSchema, recurse: z.boolean().optional(), differingBelow: z.number().optional() }),
    async read(ctx): Promise<(ActualAttributes & { type: string }) | undefined> {
      // A symlink to a directory is the directory (as Ansible's follow = yes): /var/www -> /srv/www manages /srv/www.
      if (!followed) return undefined;
      return { type: followed.type, ...(await namedAttributes(ctx, followed)) };
    },
    diff(desired, actual) {
      const changes: Changes = actual ? attributeChanges(desired, actual) : { state: { old: 'absent', new: 'directory' } };
      // How many paths below it differ (recurse): counted before converging, since a fact does not know what is asked.
      if (desired.differingBelow) changes.below = { old: desired.differingBelow, new: 0 };
      return changes;
    },
    async apply(ctx, path, changes, desired) {
      if (changes.state) {
        await ctx.host.mkdir(path, { parents: true, mode: desired.mode });
        if (desired.uid !== undefined || desired.gid !== undefined) await ctx.host.chown(path, desired.uid, desired.gid);
      } else {
        await applyAttributes(ctx, path, changes, desired);
      }
      if (desired.recurse) {
        for (const below of await differingBelow(ctx, path, desired)) {
          const info = await ctx.host.lstat(below);
          // chown first: it clears the setuid and setgid bits.
          if (desired.uid !== undefined || desired.gid !== undefined)
            await ctx.host.chown(below, desired.uid, desired.gid, { follow: false });
          if (desired.mode !== undefined && info?.type !== 'link') await ctx.host.chmod(below, desired.mode);
        }
      }
    },
    record: (path, desired) => recordedAttributes(path, desired),
  });

/** A symlink and where it points. */
const linkResource = defineResource({
  type: 'link',
  desired: z.object({ src: z.string() }),
  async read(ctx, path) {
    const info = await ctx.host.lstat(path);
    if (!info) return undefined;
    return { src: info.type === 'link' ? await ctx.host.readlink(path) : undefined };
  },
  async apply(ctx, path, _changes, desired) {
    await ctx.host.symlink(desired.src, path);
  },
  record: (path, desired) => ({ path, src: desired.src }),
});

/** Something that must not exist (a file, a symlink, a directory with everything in it). */
const absentResource = defineResource({
  type: 'path',
  desired: z.object({}),
  async read(ctx, path) {
    const info = await ctx.host.lstat(path);
    return info && { type: info.type };
  },
  diff: (_desired, actual): Changes => (actual ? { state: { old: actual.type, new: 'absent' } } : {}),
  async apply(ctx, path) {
    await ctx.host.remove(path, { recursive: true });
  },
});

/** touch: the times are set on every call, so it always reports a change (as Ansible's does). */
const touchedResource = defineResource({
  type: 'file',
  desired: z.object(attributesSchema),
  async read(ctx, path) {
    const info = await ctx.host.stat(path);
    return info && { mtime: new Date(info.mtimeMs).toISOString(), ...(await namedAttributes(ctx, info)) };
  },
  diff: (desired, actual) => ({ ...attributeChanges(desired, actual), times: { old: actual?.mtime, new: 'now' } }),
  async apply(ctx, path, changes, desired) {
    await ctx.host.touch(path);
    await applyAttributes(ctx, path, changes, desired);
  },
  record: (path, desired) => recordedAttributes(path, desired),
});

const STATES = ['file', 'directory', 'link', 'absent', 'touch'] as const;

const fileOptions = optionsTable(
  {
    path: pathField,
    state: z.enum(STATES, { error: () => `expected one of ${STATES.map((s) => `"${s}"`).join(', ')}` }).default('file'),
    src: z.string().min(1, 'expected a path, got an empty string').optional(),
    ...attributeFields,
    recurse: z.boolean().optional(),
  },
  '{ path = "/srv/app", state = "directory", mode = "0755" }',
);

/** Links, absence and the other states, converged for `ctx.fn`; returns the change contract's table. */
async function convergeState(ctx: ModuleCallContext, opts: z.output<typeof fileOptions>): Promise<Record<string, unknown>> {
  const path = targetPath(ctx, opts.path);
  return fileCall(ctx, path, async () => {
    const { user, group } = await lookupOwnership(ctx, opts.owner, opts.group);
    const wanted = { mode: opts.mode, uid: user?.id, owner: user?.name, gid: group?.id, group: group?.name };
    const fields = {
      path,
      state: opts.state,
      mode: opts.mode === undefined ? undefined : formatMode(opts.mode),
      owner: user?.name,
      group: group?.name,
    };
    const info = await ctx.host.lstat(path);
    switch (opts.state) {
      case 'file':
        if (!info || info.type === 'directory') {
          throw new SlothError(
            info ? 'invalid_argument' : 'not_found',
            `${ctx.fn}: '${path}' ${info ? 'is a directory' : 'does not exist'}, and state = "file" does not create it`,
            {
              hint: 'state = "file" only sets the attributes of an existing file: use state = "touch" to create an empty one, or file_ops.copy to write one',
            },
          );
        }
        return convergeFile(ctx, path, opts, fields);
      case 'touch':
        return changeResult(await converge(touchedResource, path, wanted, ctx), fields);
      case 'directory': {
        const followed = info?.type === 'link' ? await ctx.host.stat(path) : info;
        if (info && followed?.type !== 'directory') {
          const what = info.type !== 'link' ? info.type : followed ? `symlink to a ${followed.type}` : 'dangling symlink';
          throw new SlothError('invalid_argument', `${ctx.fn}: '${path}' exists and is a ${what}, not a directory`, {
            hint: 'remove it first (state = "absent"), or choose another path',
          });
        }
        const differing = opts.recurse && info ? (await differingBelow(ctx, path, wanted)).length : 0;
        const desired = { ...wanted, recurse: opts.recurse, differingBelow: differing };
        return changeResult(await converge(directoryResource(followed), path, desired, ctx), fields);
      }
      case 'link': {
        if (opts.src === undefined) {
          throw new SlothError('invalid_argument', `${ctx.fn}: state = "link" needs src, the path the link points to`, {
            hint: 'file_ops.file({ path = "/etc/nginx/sites-enabled/app", src = "/etc/nginx/sites-available/app", state = "link" })',
          });
        }
        return convergeLink(ctx, path, opts.src, info?.type, { ...fields, src: opts.src });
      }
      case 'absent':
        return changeResult(await converge(absentResource, path, {}, ctx), { path, state: 'absent' });
    }
  });
}

/** A symlink at `path` pointing to `src` (kept as given: a relative src is relative to the link's directory). */
async function convergeLink(
  ctx: ModuleCallContext,
  path: string,
  src: string,
  existing: string | undefined,
  fields: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  if (existing !== undefined && existing !== 'link') {
    throw new SlothError('invalid_argument', `${ctx.fn}: '${path}' exists and is a ${existing}, not a symlink`, {
      hint: 'remove it first (file_ops.file({ path = ..., state = "absent" })), then link',
    });
  }
  return changeResult(await converge(linkResource, path, { src }, ctx), fields);
}

export const file = fn({
  doc:
    'Sets what a path is, Ansible-style. state = "file" (default): an existing file gets mode/owner/group (a missing ' +
    'one is an error); "directory": created with its parents if missing, with mode/owner/group (recurse = true sets ' +
    'them on everything below too, mode included; a symlink to a directory manages that directory); "link": a symlink to src (a file or directory already there is an ' +
    'error); "absent": removed, with everything below it; "touch": created empty if missing and its times set to now, ' +
    'so it always reports changed.',
  args: [{ name: 'opts', schema: fileOptions, doc: '{ path, state, src, mode, owner, group, recurse }' }],
  returns:
    'table: changed, changes (mode, owner, group, state, src, times; below: how many paths under a recursed directory differed; each { old, new }), check_mode, path, state, mode, owner, group',
  examples: [
    'file_ops.file({ path = "/srv/app/releases", state = "directory", owner = "deploy", mode = "0755" })',
    'file_ops.file({ path = "/etc/nginx/sites-enabled/default", state = "absent" })',
  ],
  run: async ([opts], ctx) => convergeState(ctx, opts),
});

export const symlink = fn({
  doc: 'Makes dest a symlink to src (file_ops.file with state = "link"); a symlink pointing elsewhere is replaced atomically.',
  args: [
    { name: 'src', schema: pathField, doc: 'where the link points (kept as given)' },
    { name: 'dest', schema: pathField, doc: 'the link (relative to the task workdir)' },
  ],
  returns: 'table: changed, changes ({ src = { old, new } }), check_mode, path, src',
  examples: ['file_ops.symlink("/etc/nginx/sites-available/app", "/etc/nginx/sites-enabled/app")'],
  run: async ([src, dest], ctx) => {
    const path = targetPath(ctx, dest);
    return fileCall(ctx, path, async () => convergeLink(ctx, path, src, (await ctx.host.lstat(path))?.type, { path, src }));
  },
});
