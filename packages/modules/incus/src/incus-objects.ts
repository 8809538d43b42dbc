import { arg, fn, luaTable, type ModuleCallContext, notRun, strictTable, z } from '@sloth/core';
import { incusChange, incusList } from './incus-cli.js';

/** Networks, profiles and storage pools: named objects with a config map, created and converged alike. */
interface ObjectKind {
  /** The incus subcommand: network, profile, storage. */
  command: 'network' | 'profile' | 'storage';
  /** The resource type reported to the task and the stack. */
  type: string;
  /** What a person calls it, in messages. */
  noun: string;
}

export const NETWORK: ObjectKind = { command: 'network', type: 'incus_network', noun: 'network' };
export const PROFILE: ObjectKind = { command: 'profile', type: 'incus_profile', noun: 'profile' };
export const STORAGE: ObjectKind = { command: 'storage', type: 'incus_storage_pool', noun: 'storage pool' };

interface ObjectInfo {
  name: string;
  description?: string;
  config?: Record<string, string>;
}

const configValue = z.union([z.string(), z.number(), z.boolean()]).transform(String);
const objectConfig = luaTable(z.record(z.string().min(1), configValue));

/** The fields of a network, profile or storage pool: what its handle and its create function take. */
export const objectShapes = {
  network: {
    name: z.string().min(1),
    type: z.string().min(1).optional(),
    description: z.string().optional(),
    config: objectConfig.optional(),
  },
  profile: { name: z.string().min(1), description: z.string().optional(), config: objectConfig.optional() },
  storage: {
    name: z.string().min(1),
    driver: z.string().min(1),
    description: z.string().optional(),
    config: objectConfig.optional(),
  },
};

/** The object named `name`, or undefined when incus has none. */
async function find(ctx: ModuleCallContext, kind: ObjectKind, name: string): Promise<ObjectInfo | undefined> {
  return (await incusList<ObjectInfo>(ctx, [kind.command, 'list'])).find((o) => o.name === name);
}

/**
 * Creates the object when it is missing (with its type or driver, description and config) and sets the config keys
 * whose value differs when it exists; changed = false when all is as asked. Keys not named are left alone.
 */
async function converge(
  ctx: ModuleCallContext,
  kind: ObjectKind,
  o: { name: string; description?: string | undefined; config?: Record<string, string> | undefined },
  createArgs: string[],
) {
  const existing = await find(ctx, kind, o.name);
  const config = o.config ?? {};
  const differing = Object.entries(config).filter(([k, v]) => existing?.config?.[k] !== v);
  const description = o.description !== undefined && existing?.description !== o.description ? o.description : undefined;
  if (existing && differing.length === 0 && description === undefined) return notRun(ctx, false);
  const changes: Record<string, { old: unknown; new: unknown }> = existing
    ? Object.fromEntries(differing.map(([k, v]) => [k, { old: existing.config?.[k], new: v }]))
    : { state: { old: 'absent', new: 'present' } };
  if (description !== undefined) changes.description = { old: existing?.description, new: description };
  ctx.reportResource({
    type: kind.type,
    name: o.name,
    fn: ctx.fn,
    changed: true,
    changes,
    checkMode: ctx.checkMode,
    record: ctx.checkMode ? undefined : { config: { ...(existing?.config ?? {}), ...config } },
  });
  if (ctx.checkMode) return notRun(ctx, true);
  const pairs = (entries: [string, string][]) => entries.map(([k, v]) => `${k}=${v}`);
  let r = existing
    ? undefined
    : await incusChange(
        ctx,
        [kind.command, 'create', o.name, ...createArgs, ...pairs(Object.entries(config))],
        `${kind.command} create ${o.name}`,
      );
  if (existing && differing.length > 0) {
    r = await incusChange(ctx, [kind.command, 'set', o.name, ...pairs(differing)], `${kind.command} set ${o.name}`);
  }
  if (description !== undefined) {
    r = await incusChange(
      ctx,
      [kind.command, 'set', o.name, `description=${description}`, '--property'],
      `${kind.command} set ${o.name} description`,
    );
  }
  return r as NonNullable<typeof r>;
}

/** Deletes the object; changed = false when there is none. */
async function remove(ctx: ModuleCallContext, kind: ObjectKind, name: string) {
  if (!(await find(ctx, kind, name))) return notRun(ctx, false);
  ctx.reportResource({
    type: kind.type,
    name,
    fn: ctx.fn,
    changed: true,
    changes: { state: { old: 'present', new: 'absent' } },
    checkMode: ctx.checkMode,
  });
  if (ctx.checkMode) return notRun(ctx, true);
  return incusChange(ctx, [kind.command, 'delete', name], `${kind.command} delete ${name}`);
}

const RESULT = 'table: success, changed, check_mode, exit_code, stdout, stderr';

/** `KIND_delete(name)`: deletes the object; changed = false when there is none. */
const deleteFn = (kind: ObjectKind, example: string) =>
  fn({
    doc: `Deletes a ${kind.noun}; changed = false when there is none.`,
    args: [arg('name', z.string().min(1), `the ${kind.noun}`)],
    returns: RESULT,
    examples: [example],
    run: ([name], ctx) => remove(ctx, kind, name),
  });

export const networkCreate = fn({
  doc: 'Creates a network (incus network create, type default bridge) with its config, or sets the config keys that differ on an existing one; changed = false when all is as asked.',
  args: [
    arg(
      'opts',
      luaTable(strictTable(objectShapes.network)),
      '{ name, type = "bridge", description, config = { ["ipv4.address"] = "10.10.0.1/24" } }',
    ),
  ],
  returns: RESULT,
  examples: ['incus.network_create({ name = "web-dmz", config = { ["ipv4.address"] = "10.10.0.1/24", ["ipv4.nat"] = "true" } })'],
  run: ([o], ctx) => converge(ctx, NETWORK, o, o.type ? [`--type=${o.type}`] : []),
});

export const networkDelete = deleteFn(NETWORK, 'incus.network_delete("web-dmz")');

export const profileCreate = fn({
  doc: 'Creates a profile with its description and config, or sets what differs on an existing one; changed = false when all is as asked.',
  args: [arg('opts', luaTable(strictTable(objectShapes.profile)), '{ name, description, config = { ["limits.cpu"] = "4" } }')],
  returns: RESULT,
  examples: [
    'incus.profile_create({ name = "web-server", description = "web servers", config = { ["limits.memory"] = "4GB" } })',
  ],
  run: ([o], ctx) => converge(ctx, PROFILE, o, []),
});

export const profileDelete = deleteFn(PROFILE, 'incus.profile_delete("web-server")');

export const storageCreate = fn({
  doc: 'Creates a storage pool with a driver (dir, zfs, btrfs, lvm...) and its config, or sets the config keys that differ on an existing one; changed = false when all is as asked.',
  args: [arg('opts', luaTable(strictTable(objectShapes.storage)), '{ name, driver, description, config = { size = "30GiB" } }')],
  returns: RESULT,
  examples: ['incus.storage_create({ name = "fast", driver = "zfs", config = { size = "30GiB" } })'],
  run: ([o], ctx) => converge(ctx, STORAGE, o, [o.driver]),
});

export const storageDelete = deleteFn(STORAGE, 'incus.storage_delete("fast")');
