import { defineModule, fn, luaList, SlothError, strictTable, z } from '@sloth/core';
import { filePush } from './file-push.js';
import { INCUS } from './incus-cli.js';
import {
  networkCreate,
  networkDelete,
  objectShapes,
  profileCreate,
  profileDelete,
  storageCreate,
  storageDelete,
} from './incus-objects.js';
import { networkAttach, networkDetach, profileApply, profileRemoveFrom } from './instance-links.js';
import { exec, instanceCreate, instanceDelete, instanceStart, instanceStop, instanceWaitRunning } from './instances.js';
import { snapshotCreate, snapshotDelete, snapshotRestore } from './snapshots.js';

/**
 * What every fluent handle shares: `h.result` is the last step's result, `:delegate_to(host)` makes the next steps run
 * where incus is (an agent, an inventory host or ssh://...: each call gets that `target`), `:set_config{...}` merges
 * config for the next create.
 */
const FLUENT = `function(h)
  h.config = h.config or {}
  function h._on(o)
    if h.target == nil then return o end
    local r = {}
    for k, v in pairs(o or {}) do r[k] = v end
    r.target = h.target
    return r
  end
  function h._step(r) h.result = r return h end
  function h:delegate_to(host) h.target = host return h end
  function h:set_config(c)
    for k, v in pairs(c or {}) do h.config[k] = v end
    return h
  end
  return h
end`;

/** incus.instance in Lua: a handle whose steps run the module's functions on its instance and chain. */
const INSTANCE = `function(spec)
  M._check_instance(spec)
  local h = M._fluent({ name = spec.name, spec = spec })
  h:set_config(spec.config)
  function h:create() return h._step(M.instance_create(h._on({ name = spec.name, image = spec.image, profiles = spec.profiles, config = h.config, vm = spec.vm }))) end
  function h:start() return h._step(M.instance_start(spec.name, h._on(nil))) end
  function h:stop(o) return h._step(M.instance_stop(spec.name, h._on(o))) end
  function h:delete() return h._step(M.instance_delete(spec.name, h._on(nil))) end
  function h:wait_running(o) return h._step(M.instance_wait_running(spec.name, h._on(o))) end
  function h:exec(cmd, o) return h._step(M.exec(spec.name, cmd, h._on(o))) end
  function h:file_push(src, dst, o) return h._step(M.file_push(spec.name, src, dst, h._on(o))) end
  return h
end`;

/** incus.network, incus.profile, incus.storage in Lua: create/delete plus what links them to instances. */
const OBJECT = (kind: 'network' | 'profile' | 'storage', extra: string) => `function(spec)
  M._check_${kind}(spec)
  local h = M._fluent({ name = spec.name, spec = spec, config = {} })
  h:set_config(spec.config)
  function h:create()
    local o = {}
    for k, v in pairs(spec) do o[k] = v end
    o.config = h.config
    return h._step(M.${kind}_create(h._on(o)))
  end
  function h:delete() return h._step(M.${kind}_delete(spec.name, h._on(nil))) end
${extra}
  return h
end`;

const NETWORK_HANDLE = OBJECT(
  'network',
  `  function h:attach(instance) return h._step(M.network_attach(spec.name, instance, h._on(nil))) end
  function h:detach(instance) return h._step(M.network_detach(spec.name, instance, h._on(nil))) end`,
);
const PROFILE_HANDLE = OBJECT(
  'profile',
  `  function h:apply(instance) return h._step(M.profile_apply(spec.name, instance, h._on(nil))) end
  function h:remove_from(instance) return h._step(M.profile_remove_from(spec.name, instance, h._on(nil))) end`,
);
const STORAGE_HANDLE = OBJECT('storage', '');

const SNAPSHOT_HANDLE = `function(spec)
  M._check_snapshot(spec)
  local h = M._fluent({ name = spec.name, spec = spec })
  function h:create() return h._step(M.snapshot_create(h._on({ instance = spec.instance, name = spec.name, stateful = spec.stateful }))) end
  function h:restore() return h._step(M.snapshot_restore(h._on({ instance = spec.instance, name = spec.name }))) end
  function h:delete() return h._step(M.snapshot_delete(h._on({ instance = spec.instance, name = spec.name }))) end
  return h
end`;

const instanceSpec = strictTable(
  {
    name: z.string().min(1),
    image: z.string().min(1).optional(),
    profiles: luaList(z.array(z.string().min(1))).optional(),
    config: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    vm: z.boolean().optional(),
  },
  'field',
);

const networkSpec = strictTable(objectShapes.network, 'field');
const profileSpec = strictTable(objectShapes.profile, 'field');
const storageSpec = strictTable(objectShapes.storage, 'field');
const snapshotSpec = strictTable(
  { instance: z.string().min(1), name: z.string().min(1), stateful: z.boolean().optional() },
  'field',
);

/** A fluent constructor: checks its spec, then its Lua wrapper builds the handle. */
function handle(doc: string, spec: z.ZodType, specDoc: string, lua: string, example: string) {
  return fn({
    doc: `${doc} Steps chain (each returns the handle, its result in handle.result); :delegate_to(host) runs the next steps where incus is (an agent, an inventory host or ssh://user@host).`,
    args: [{ name: 'spec', schema: spec, doc: specDoc }],
    returns: 'table: the handle (name, spec, result, and the step methods)',
    examples: [example],
    lua,
    run: () => {
      throw new SlothError('internal', 'the incus handles run through their Lua wrappers');
    },
  });
}

/** Checks a handle's spec at the caller's line, before any step (internal). */
const checker = (spec: z.ZodType) =>
  fn({ doc: 'Checks a handle spec (internal).', args: [{ name: 'spec', schema: spec }], returns: 'nil', run: () => undefined });

export const incusModule = defineModule({
  name: 'incus',
  importFrom: import.meta.url,
  tools: [INCUS],
  targetable: true,
  doc:
    'Incus instances, networks, profiles, storage pools and snapshots through the real incus CLI (SLOTH_INCUS_BIN ' +
    'to pick one): argument lists, never a host shell; output streamed to the task log. Each step is idempotent ' +
    '(create, start, stop, delete, attach and the rest do nothing when things are already so; config keys are ' +
    'converged one by one) and in check mode reports what it would do. incus.instance{...}, incus.network{...}, ' +
    'incus.profile{...}, incus.storage{...} and incus.snapshot{...} give the fluent form.',
  functions: {
    instance: handle(
      'A handle on an instance ({ name, image, profiles, config, vm }): :create(), :start(), :wait_running{timeout}, :exec(cmd), :file_push(src, dst), :stop{force}, :delete(), :set_config{...}.',
      instanceSpec,
      '{ name, image, profiles, config, vm }',
      INSTANCE,
      'local web = incus.instance({ name = "web-01", image = "images:debian/12", profiles = { "default" } })\n  :create():start():wait_running()\nweb:exec("apt-get update")',
    ),
    network: handle(
      'A handle on a network ({ name, type, description, config }): :set_config{...}, :create(), :delete(), :attach(instance), :detach(instance).',
      networkSpec,
      '{ name, type = "bridge", description, config }',
      NETWORK_HANDLE,
      'incus.network({ name = "web-dmz", type = "bridge" }):set_config({ ["ipv4.address"] = "10.10.0.1/24", ["ipv4.nat"] = "true" }):create()\nincus.network({ name = "web-dmz" }):attach("web-01")',
    ),
    profile: handle(
      'A handle on a profile ({ name, description, config }): :set_config{...}, :create(), :delete(), :apply(instance), :remove_from(instance).',
      profileSpec,
      '{ name, description, config }',
      PROFILE_HANDLE,
      'incus.profile({ name = "web-server", description = "web servers" }):set_config({ ["limits.cpu"] = "4" }):create()',
    ),
    storage: handle(
      'A handle on a storage pool ({ name, driver, description, config }): :set_config{...}, :create(), :delete().',
      storageSpec,
      '{ name, driver, description, config }',
      STORAGE_HANDLE,
      'incus.storage({ name = "fast", driver = "zfs" }):set_config({ size = "30GiB" }):create()',
    ),
    snapshot: handle(
      'A handle on a snapshot ({ instance, name, stateful }): :create(), :restore(), :delete().',
      snapshotSpec,
      '{ instance, name, stateful }',
      SNAPSHOT_HANDLE,
      'incus.snapshot({ instance = "web-01", name = "before-upgrade", stateful = true }):create()',
    ),
    instance_create: instanceCreate,
    instance_start: instanceStart,
    instance_stop: instanceStop,
    instance_delete: instanceDelete,
    instance_wait_running: instanceWaitRunning,
    exec,
    file_push: filePush,
    network_create: networkCreate,
    network_delete: networkDelete,
    network_attach: networkAttach,
    network_detach: networkDetach,
    profile_create: profileCreate,
    profile_delete: profileDelete,
    profile_apply: profileApply,
    profile_remove_from: profileRemoveFrom,
    storage_create: storageCreate,
    storage_delete: storageDelete,
    snapshot_create: snapshotCreate,
    snapshot_restore: snapshotRestore,
    snapshot_delete: snapshotDelete,
  },
  internals: {
    _fluent: fn({
      doc: 'Adds the shared steps to a handle (internal).',
      args: [],
      returns: 'table',
      lua: FLUENT,
      run: () => undefined,
    }),
    _check_instance: checker(instanceSpec),
    _check_network: checker(networkSpec),
    _check_profile: checker(profileSpec),
    _check_storage: checker(storageSpec),
    _check_snapshot: checker(snapshotSpec),
  },
});
