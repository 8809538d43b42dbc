import { defineModule, fn, luaList, SlothError, strictTable, z } from '@sloth/core';
import { INCUS } from './incus-cli.js';
import { exec, filePush, instanceCreate, instanceDelete, instanceStart, instanceStop, instanceWaitRunning } from './instances.js';

/**
 * incus.instance in Lua: a handle whose steps run the module's functions on its instance and return the handle, so
 * they chain (`incus.instance{...}:create():start():wait_running()`); `handle.result` is the last step's result.
 */
const HANDLE = `function(spec)
  M._check_instance(spec)
  local h = { name = spec.name, spec = spec }
  local function step(r) h.result = r return h end
  function h:create() return step(M.instance_create({ name = spec.name, image = spec.image, profiles = spec.profiles, config = spec.config, vm = spec.vm })) end
  function h:start() return step(M.instance_start(spec.name)) end
  function h:stop(o) return step(M.instance_stop(spec.name, o)) end
  function h:delete() return step(M.instance_delete(spec.name)) end
  function h:wait_running(o) return step(M.instance_wait_running(spec.name, o)) end
  function h:exec(cmd, o) return step(M.exec(spec.name, cmd, o)) end
  function h:file_push(src, dst, o) return step(M.file_push(spec.name, src, dst, o)) end
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

export const incusModule = defineModule({
  name: 'incus',
  importFrom: import.meta.url,
  tools: [INCUS],
  doc:
    'Incus instances through the real incus CLI (SLOTH_INCUS_BIN to pick one): argument lists, never a host shell; ' +
    'output streamed to the task log. Each step is idempotent (create, start, stop and delete do nothing when the ' +
    'instance is already so) and in check mode reports what it would do. incus.instance{...} gives the fluent form.',
  functions: {
    instance: fn({
      doc:
        'A handle on an instance ({ name, image, profiles, config, vm }) whose steps chain: :create(), :start(), ' +
        ':wait_running{timeout}, :exec(cmd), :file_push(src, dst), :stop{force}, :delete(); each returns the ' +
        "handle, with the last step's result in handle.result.",
      args: [{ name: 'spec', schema: instanceSpec, doc: '{ name, image, profiles, config, vm }' }],
      returns: 'table: the handle (name, spec, result, and the step methods)',
      examples: [
        'local web = incus.instance({ name = "web-01", image = "images:debian/12", profiles = { "default" } })\n  :create():start():wait_running()\nweb:exec("apt-get update")',
      ],
      lua: HANDLE,
      run: () => {
        throw new SlothError('internal', 'incus.instance runs through its Lua wrapper');
      },
    }),
    instance_create: instanceCreate,
    instance_start: instanceStart,
    instance_stop: instanceStop,
    instance_delete: instanceDelete,
    instance_wait_running: instanceWaitRunning,
    exec,
    file_push: filePush,
  },
  internals: {
    _check_instance: fn({
      doc: 'Checks an instance spec (internal: see incus.instance).',
      args: [{ name: 'spec', schema: instanceSpec }],
      returns: 'nil',
      run: () => undefined,
    }),
  },
});
