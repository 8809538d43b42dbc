import { arg, fn, luaTable, SlothError, strictTable, z } from '@sloth/core';
import { terraform, workdirOf } from './terraform-cli.js';

const initOptions = strictTable({
  workdir: z.string().min(1).optional(),
  backend_config: luaTable(z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]))).optional(),
  upgrade: z.boolean().optional(),
  reconfigure: z.boolean().optional(),
});
const initArg = arg(
  'dir_or_opts',
  z.union([z.string().min(1), luaTable(initOptions)]).optional(),
  'a directory, or { workdir, backend_config, upgrade, reconfigure }',
);

/** The JS side of terraform.init (the public function wraps it in Lua to add the client's methods). */
export const initInternal = fn({
  doc: 'terraform init (internal: see terraform.init).',
  args: [initArg],
  returns: 'table',
  run: async ([given], ctx) => {
    const opts = typeof given === 'string' ? { workdir: given } : (given ?? {});
    const dir = workdirOf(ctx, opts.workdir);
    const args = ['init', '-input=false', '-no-color'];
    if (opts.upgrade) args.push('-upgrade');
    if (opts.reconfigure) args.push('-reconfigure');
    for (const [k, v] of Object.entries(opts.backend_config ?? {})) args.push(`-backend-config=${k}=${String(v)}`);
    const { raw: _, ...r } = await terraform(ctx, dir, args);
    if (r.exit_code === null) throw new SlothError('task_failed', `${ctx.fn}: terraform init was killed`);
    return { ...r, workdir: dir };
  },
});

/**
 * terraform.init in Lua: the result of init is also a client whose methods run in its directory, as in
 * `local client = terraform.init(dir); client:plan({ var_file = ... })`. `M` is the module table.
 */
const CLIENT = `function(dir_or_opts)
  local r = M._init(dir_or_opts)
  local dir = r.workdir
  local function with_dir(o)
    local t = {}
    for k, v in pairs(o or {}) do t[k] = v end
    if t.workdir == nil then t.workdir = dir end
    return t
  end
  for _, name in ipairs({ 'plan', 'apply', 'destroy', 'validate', 'fmt', 'show', 'state_list', 'workspace_select', 'workspace_new' }) do
    r[name] = function(self, o) return M[name](with_dir(o)) end
  end
  r.output = function(self, name) return M.output({ workdir = dir, name = name }) end
  r.create_tfvars = function(self, filename, vars) return M.create_tfvars(dir, filename, vars) end
  return r
end`;

export const init = fn({
  doc:
    'terraform init in a directory (a string, or { workdir, backend_config, upgrade, reconfigure }); relative: the ' +
    'task workdir. Returns the result (success, exit_code, stdout, stderr, error, workdir), which is also a client: ' +
    'client:plan{}, client:apply{}, client:destroy{}, client:output(name), client:validate(), client:fmt{}, ' +
    'client:show(), client:state_list(), client:workspace_select{name}, client:create_tfvars(filename, values) run ' +
    'in its directory. It runs in check mode too (it changes no infrastructure).',
  args: [initArg],
  returns: 'table: success, exit_code, stdout, stderr, error, workdir, and the client methods',
  examples: [
    'local client = terraform.init(this.workdir:get())\nlocal tfvars = client:create_tfvars("terraform.tfvars", { region = "us-east-1" })\nlocal plan = client:plan({ var_file = tfvars.filename })',
  ],
  lua: CLIENT,
  run: () => {
    throw new SlothError('internal', 'terraform.init runs through its Lua wrapper');
  },
});
