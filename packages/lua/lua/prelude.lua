-- The workflow language (README: "The workflow language"), declared in Lua so that task functions never leave the Lua state:
-- JS only ever sees plain specs that refer to functions by id.
local host = ...            -- JS helpers: did_you_mean, parse_duration, run_task_now, workdir_op (lua-sandbox.ts)

local S = {}                -- the prelude's API for the JS side, stored as the global __sloth
S.modules = {}
function S.did_you_mean(name, list) return host.did_you_mean(tostring(name), list) end
local fns, fn_count = {}, 0
local tasks_by_name, task_list = {}, {}
local workflows_by_name, workflow_list = {}, {}
S.loading = true

local function ref(f) fn_count = fn_count + 1; fns[fn_count] = f; return fn_count end

-- file:line of the nearest frame in a user's file (internal chunks are named "=sloth:...", user files "@path")
local function user_location()
  local level = 2
  while true do
    local info = debug.getinfo(level, 'Sl')
    if not info then return nil end
    if info.source:sub(1, 1) == '@' then return info.source:sub(2) .. ':' .. (info.currentline or 0) end
    level = level + 1
  end
end

-- :delegate_to({ labels = {...}, count, one, strategy }): the agents are chosen from the master's when the task starts;
-- `replace` (from the engine) asks for `count` others than those excluded, to take over from agents that failed.
local function by_labels(v)
  return function(_, _, replace)
    if replace == nil then return S.modules.load_balancer.choose(v) end
    local o = {}
    for k, x in pairs(v) do o[k] = x end
    local exclude = {}
    for i, a in ipairs(v.exclude or {}) do exclude[i] = a end
    for _, a in ipairs(replace.exclude) do exclude[#exclude + 1] = a end
    o.one, o.count, o.exclude = nil, replace.count, exclude
    return S.modules.load_balancer.choose(o)
  end
end

-- Picking some of the agents with the labels (one/count) makes the task replace agents that fail.
local function delegate_by_labels(v)
  return { fn = ref(by_labels(v)), replaceable = rawget(v, 'one') == true or rawget(v, 'count') ~= nil }
end

local function fail_at(msg)
  local where = user_location()
  error((where and (where .. ': ') or '') .. msg, 0)
end

local function sorted_keys(t) local out = {} for k in pairs(t) do out[#out + 1] = k end table.sort(out) return out end
local function did_you_mean(name, candidates) return host.did_you_mean(tostring(name), sorted_keys(candidates)) end

local function describe(v)
  local t = type(v)
  if t == 'table' and getmetatable(v) and getmetatable(v).__sloth_kind then return getmetatable(v).__sloth_kind end
  return t
end

local function check(cond, msg) if not cond then fail_at(msg) end end

local function list_of_strings(v, what)
  if type(v) == 'string' then return { v } end
  check(type(v) == 'table', what .. ' expects a list of strings, got ' .. describe(v))
  local out = {}
  for i, s in ipairs(v) do
    check(type(s) == 'string', what .. ': item #' .. i .. ' should be a string, got ' .. describe(s))
    out[#out + 1] = s
  end
  return out
end

local function duration(v, what)
  check(type(v) == 'string' or type(v) == 'number', what .. ' expects a duration like "30s" or a number of seconds, got ' .. describe(v))
  local r = host.parse_duration(v)
  if r.error then fail_at(what .. ': ' .. r.error) end
  return r.ms
end

local function fn_or_string(v, what)
  check(type(v) == 'function' or type(v) == 'string', what .. ' expects a function or a shell command string, got ' .. describe(v))
  if type(v) == 'function' then return { fn = ref(v) } end
  return { shell = v }
end

local function fn_only(v, what)
  check(type(v) == 'function', what .. ' expects a function, got ' .. describe(v))
  return ref(v)
end

---------------------------------------------------------------------------------------------------
-- Tasks

local Task = {}
local TaskMeta = { __sloth_kind = 'task' }

local function retries_of(spec, count, strategy, delay)
  check(math.type(count) == 'integer' and count >= 0, 'retries expects a whole number >= 0, got ' .. tostring(count))
  spec.retries = { count = count }
  if strategy ~= nil then
    check(strategy == 'fixed' or strategy == 'linear' or strategy == 'exponential',
      'retries: unknown strategy "' .. tostring(strategy) .. '"; use "fixed", "linear" or "exponential"')
    spec.retries.strategy = strategy
  end
  if delay ~= nil then spec.retries.delay_ms = duration(delay, 'retries delay') end
end

-- A task name, a task, or a list of them (depends_on, notify), as names.
local function task_names(v, what, kind)
  if (type(v) == 'table' and getmetatable(v) == TaskMeta) or type(v) == 'string' then v = { v } end
  check(type(v) == 'table', what .. ' expects a ' .. kind .. ' name or a list of names or tasks, got ' .. describe(v))
  local out = {}
  for i, t in ipairs(v) do
    if type(t) == 'table' and getmetatable(t) == TaskMeta then out[#out + 1] = t.spec.name
    elseif type(t) == 'string' then out[#out + 1] = t
    else fail_at(what .. ': item #' .. i .. ' should be a ' .. kind .. ' name or task, got ' .. describe(t)) end
  end
  return out
end

local setters = {
  description = function(s, v) check(type(v) == 'string', 'description expects a string, got ' .. describe(v)); s.description = v end,
  command = function(s, v) s.command = fn_or_string(v, 'command') end,
  workdir = function(s, v) check(type(v) == 'string', 'workdir expects a path string, got ' .. describe(v)); s.workdir = v end,
  timeout = function(s, v) s.timeout_ms = duration(v, 'timeout') end,
  retries = function(s, count, strategy, delay)
    if type(count) == 'table' then return retries_of(s, count.count or count.max, count.strategy, count.delay) end
    retries_of(s, count, strategy, delay)
  end,
  depends_on = function(s, v) s.depends_on = task_names(v, 'depends_on', 'task') end,
  delegate_to = function(s, v)
    if type(v) == 'function' then s.delegate_to = { fn = ref(v) } return end
    if type(v) == 'table' and rawget(v, 'labels') ~= nil then s.delegate_to = delegate_by_labels(v) return end
    s.delegate_to = { agents = list_of_strings(v, 'delegate_to') }
  end,
  handler = function(s, v)
    if v == nil then v = true end
    check(type(v) == 'boolean', 'handler expects true or false (or nothing: :handler()), got ' .. describe(v))
    s.handler = v
  end,
  notify = function(s, v) s.notify = task_names(v, 'notify', 'handler') end,
  run_if = function(s, v) s.run_if = fn_or_string(v, 'run_if') end,
  abort_if = function(s, v) s.abort_if = fn_or_string(v, 'abort_if') end,
  on_success = function(s, v) s.on_success = fn_only(v, 'on_success') end,
  on_failure = function(s, v) s.on_failure = fn_only(v, 'on_failure') end,
  on_timeout = function(s, v) s.on_timeout = fn_only(v, 'on_timeout') end,
  pre_hook = function(s, v) s.pre_hook = fn_only(v, 'pre_hook') end,
  post_hook = function(s, v) s.post_hook = fn_only(v, 'post_hook') end,
  artifacts = function(s, v) s.artifacts = list_of_strings(v, 'artifacts') end,
  consumes = function(s, v) s.consumes = list_of_strings(v, 'consumes') end,
  tags = function(s, v) s.tags = list_of_strings(v, 'tags') end,
  user = function(s, v) check(type(v) == 'string', 'user expects a user name, got ' .. describe(v)); s.user = v end,
  env = function(s, v)
    check(type(v) == 'table', 'env expects a table of NAME = "value", got ' .. describe(v))
    local out = {}
    for k, val in pairs(v) do
      check(type(k) == 'string', 'env: keys must be variable names')
      out[k] = tostring(val)
    end
    s.env = out
  end,
}
-- table-form keys that are not builder methods
local table_aliases = { run = 'command', retry_strategy = true, name = true }

local function register_task(t)
  local name = t.spec.name
  local existing = tasks_by_name[name]
  if existing and S.loading and existing ~= t then
    fail_at('task "' .. name .. '" is declared twice (first at ' .. tostring(existing.spec.location) .. ')', 4)
  end
  if not existing then task_list[#task_list + 1] = t end
  tasks_by_name[name] = t
end

local function new_task(name)
  check(type(name) == 'string' and name ~= '', 'task name must be a non-empty string, got ' .. describe(name))
  local t = setmetatable({ spec = { name = name, location = user_location(), depends_on = {} } }, TaskMeta)
  register_task(t)
  return t
end

TaskMeta.__index = function(t, key)
  local m = Task[key]
  if m then return m end
  if setters[key] then
    return function(self, ...)
      if getmetatable(self) ~= TaskMeta then fail_at('task method ' .. key .. ' must be called with ":" (task:' .. key .. '(...))', 3) end
      setters[key](self.spec, ...)
      return self
    end
  end
  local methods = {}
  for k in pairs(setters) do methods[k] = true end
  for k in pairs(Task) do methods[k] = true end
  fail_at('unknown task method "' .. tostring(key) .. '"' .. did_you_mean(key, methods))
end
TaskMeta.__tostring = function(t) return 'task(' .. t.spec.name .. ')' end
TaskMeta.__newindex = function(_, key) fail_at('cannot set field "' .. tostring(key) .. '" on a task; use its builder methods') end

function Task.build(self) rawset(self, "built", true) return self end
function Task.name(self) return self.spec.name end
-- Runs this task now, from inside another task (or at load time), and returns success, output.
function Task.run(self, params)
  if params ~= nil and type(params) ~= 'table' then fail_at('task:run(params) expects a table of params, got ' .. describe(params)) end
  local r = host.run_task_now(self.spec.name, params or {}):await()
  return r.success, r.output or r.error
end

local function task_from_table(def)
  local name = def.name
  local t = new_task(name)
  for k, v in pairs(def) do
    if k ~= 'name' and k ~= 'retry_strategy' then
      local key = table_aliases[k] == nil and k or (table_aliases[k] == true and k or table_aliases[k])
      local setter = setters[key]
      if not setter then
        local valid = {}
        for s in pairs(setters) do valid[s] = true end
        for s in pairs(table_aliases) do valid[s] = true end
        fail_at('unknown task key "' .. tostring(k) .. '" in task "' .. name .. '"' .. did_you_mean(k, valid))
      end
      if key == 'retries' and type(v) ~= 'table' then setter(t.spec, v, def.retry_strategy)
      else setter(t.spec, v) end
    end
  end
  return t
end

function task(arg)
  if type(arg) == 'table' and getmetatable(arg) == nil then return task_from_table(arg) end
  return new_task(arg)
end

---------------------------------------------------------------------------------------------------
-- Workflows

local Workflow = {}
local WorkflowMeta = { __sloth_kind = 'workflow' }
local config_keys = { timeout = true, max_parallel_tasks = true, fail_fast = true, environment = true, retry_policy = true }

local function resolve_task_ref(w, v, i)
  if type(v) == 'table' and getmetatable(v) == TaskMeta then return v.spec.name end
  if type(v) == 'string' then return v end
  if type(v) == 'table' and getmetatable(v) == nil then return task_from_table(v).spec.name end
  if v == nil then
    fail_at('workflow "' .. w.spec.name .. '": tasks item #' .. i .. ' is nil (is that task variable undefined or misspelled?)')
  end
  fail_at('workflow "' .. w.spec.name .. '": tasks item #' .. i .. ' should be a task, a task table or a task name, got ' .. describe(v))
end

local wsetters = {
  description = function(w, v) check(type(v) == 'string', 'description expects a string, got ' .. describe(v)); w.spec.description = v end,
  version = function(w, v) check(type(v) == 'string' or type(v) == 'number', 'version expects a string, got ' .. describe(v)); w.spec.version = tostring(v) end,
  metadata = function(w, v) check(type(v) == 'table', 'metadata expects a table, got ' .. describe(v)); w.spec.metadata = v end,
  tasks = function(w, v)
    check(type(v) == 'table' and getmetatable(v) == nil, 'tasks expects a list of tasks, got ' .. describe(v))
    for i = 1, #v do w.spec.tasks[#w.spec.tasks + 1] = resolve_task_ref(w, v[i], i) end
    -- a hole (an undefined local) makes #v stop early; name it instead of dropping tasks silently
    for k in pairs(v) do
      if math.type(k) ~= 'integer' or k < 1 or k > #v then
        fail_at('workflow "' .. w.spec.name .. '": tasks has a nil or non-list entry near index ' .. tostring(k) ..
          ' (is a task variable undefined?)')
      end
    end
  end,
  config = function(w, v)
    check(type(v) == 'table', 'config expects a table, got ' .. describe(v))
    local c = {}
    for k, val in pairs(v) do
      if not config_keys[k] then fail_at('unknown workflow config key "' .. tostring(k) .. '"' .. did_you_mean(k, config_keys)) end
      if k == 'timeout' then c.timeout_ms = duration(val, 'config.timeout')
      elseif k == 'max_parallel_tasks' then
        check(math.type(val) == 'integer' and val >= 1, 'config.max_parallel_tasks expects a whole number >= 1, got ' .. tostring(val))
        c.max_parallel_tasks = val
      elseif k == 'fail_fast' then check(type(val) == 'boolean', 'config.fail_fast expects true or false'); c.fail_fast = val
      else c[k] = val end
    end
    w.spec.config = c
  end,
  on_start = function(w, v) w.spec.on_start = fn_only(v, 'on_start') end,
  on_complete = function(w, v) w.spec.on_complete = fn_only(v, 'on_complete') end,
  delegate_to = function(w, v)
    if type(v) == 'function' then w.spec.delegate_to = { fn = ref(v) } return end
    if type(v) == 'table' and rawget(v, 'labels') ~= nil then w.spec.delegate_to = delegate_by_labels(v) return end
    w.spec.delegate_to = { agents = list_of_strings(v, 'delegate_to') }
  end,
}

-- workflow("x"):task("step", fn): inline tasks run in the order they are added
function Workflow.task(self, name, body)
  local t
  if type(name) == 'table' and getmetatable(name) == TaskMeta then t = name
  else
    t = new_task(name)
    setters.command(t.spec, body)
  end
  local prev = rawget(self, 'inline_last')
  if prev and #t.spec.depends_on == 0 then t.spec.depends_on = { prev } end
  rawset(self, 'inline_last', t.spec.name)
  self.spec.tasks[#self.spec.tasks + 1] = t.spec.name
  return self
end
function Workflow.build(self) return self end

WorkflowMeta.__index = function(w, key)
  if Workflow[key] then return Workflow[key] end
  if wsetters[key] then
    return function(self, ...)
      if getmetatable(self) ~= WorkflowMeta then fail_at('workflow method ' .. key .. ' must be called with ":"') end
      wsetters[key](self, ...)
      return self
    end
  end
  local valid = {}
  for k in pairs(wsetters) do valid[k] = true end
  for k in pairs(Workflow) do valid[k] = true end
  fail_at('unknown workflow method "' .. tostring(key) .. '"' .. did_you_mean(key, valid))
end

local function define_workflow(name, opts)
  check(type(name) == 'string' and name ~= '', 'workflow name must be a non-empty string, got ' .. describe(name))
  if workflows_by_name[name] and S.loading then
    fail_at('workflow "' .. name .. '" is defined twice (first at ' .. tostring(workflows_by_name[name].spec.location) .. ')', 4)
  end
  local w = setmetatable({ spec = { name = name, tasks = {}, config = {}, location = user_location() } }, WorkflowMeta)
  workflows_by_name[name] = w
  workflow_list[#workflow_list + 1] = w
  if opts ~= nil then
    check(type(opts) == 'table', 'workflow.define("' .. name .. '", opts): opts must be a table, got ' .. describe(opts))
    for k, v in pairs(opts) do
      local setter = wsetters[k]
      if not setter then fail_at('unknown workflow key "' .. tostring(k) .. '"' .. did_you_mean(k, wsetters)) end
      setter(w, v)
    end
  end
  return w
end

workflow = setmetatable({
  define = function(name, opts) return define_workflow(name, opts) end,
}, {
  __call = function(_, name, opts) return define_workflow(name, opts) end,
  __index = function(_, key) fail_at('unknown function workflow.' .. tostring(key) .. ' (use workflow.define)') end,
})

---------------------------------------------------------------------------------------------------
-- Calling task functions: arguments bound by parameter name (a function declared (params) gets params, not this)

local ROLE = {
  this = 'this', self = 'this', t = 'this', task = 'this', ctx = 'this',
  params = 'params', p = 'params',
  deps = 'deps', d = 'deps', inputs = 'deps',
  output = 'output', result = 'output',
  err = 'error', error = 'error',
}

local function bind_args(f, values, positional)
  local info = debug.getinfo(f, 'u')
  local args = { n = info.nparams }
  for i = 1, info.nparams do
    local role = ROLE[debug.getlocal(f, i)]
    if role then args[i] = values[role] else args[i] = values[positional[i]] end
  end
  if info.isvararg then
    for i = info.nparams + 1, #positional do args[i] = values[positional[i]]; args.n = i end
  end
  return args
end

local function method(f) return function(...) return f() end end  -- works with "." and ":" calls

local function workdir_op(op, data)
  local r = host.workdir_op(op, data.workdir, data.workdir_is_own):await()
  if r.error then error(r.error, 3) end
  return r.value
end

local function make_context(data)
  local this = {
    run_id = data.run_id,
    attempt = data.attempt,
    name = method(function() return data.name end),
    workdir = {
      get = method(function() return data.workdir end),
      ensure = method(function() return workdir_op('ensure', data) end),
      exists = method(function() return workdir_op('exists', data) end),
      cleanup = method(function() return workdir_op('cleanup', data) end),
    },
    agent = { get = method(function() return data.agent end) },
    check_mode = data.check_mode == true,
  }
  return this
end

-- an error value as text: a string as it is, a table by its __tostring, its message field or its fields
local function error_text(e)
  if type(e) == 'string' then return e end
  local mt = getmetatable(e)
  if type(mt) == 'table' and mt.__tostring then
    local ok, text = pcall(tostring, e)
    if ok and type(text) == 'string' then return text end
  end
  if type(e) == 'table' then
    if type(e.message) == 'string' then return e.message end
    local parts = {}
    for k, v in pairs(e) do parts[#parts + 1] = tostring(k) .. '=' .. tostring(v) end
    table.sort(parts)
    return 'error table {' .. table.concat(parts, ', ') .. '}'
  end
  return tostring(e)
end

-- the full path:line of the nearest frame in a user's file (short_src may shorten a long path)
local source_location = user_location

-- "file:line" of the innermost frame in a user's file, from `level` of `co` (nil: the running thread) outwards.
-- error() adds the position only to string messages, so a table raised needs it found this way.
local function user_location(co, level)
  for l = level, level + 200 do
    local info
    if co then info = debug.getinfo(co, l, 'Sl') else info = debug.getinfo(l, 'Sl') end
    if not info then return nil end
    if info.currentline and info.currentline > 0 and not info.short_src:match('^sloth:') then
      return info.short_src .. ':' .. info.currentline
    end
  end
end

-- the message of an error with its position: strings carry theirs, other values get the raiser's
local function located_error_text(e, co, level)
  local text = error_text(e)
  if type(e) == 'string' then return text end
  local where = user_location(co, level)
  return where and (where .. ': ' .. text) or text
end

-- Raises `msg` at the nearest line in a user's file: a module's Lua side (FunctionSpec.lua) uses it for errors of its
-- own, so they name the user's line rather than the module's internal chunk.
function S.raise_at_user(msg)
  local where = user_location(nil, 3)
  error((where and (where .. ': ') or '') .. msg, 0)
end

-- the text of the error `e` that ended thread `co` (called from JS: the thread's stack is still there to read)
function S.thread_error_text(co, e) return located_error_text(e, co, 0) end

-- the frames of a traceback that point into the user's files
local function user_traceback(e)
  local tb = debug.traceback(error_text(e), 3)
  local lines = {}
  for line in tb:gmatch('[^\n]+') do
    -- internal chunks show as "sloth:prelude:12:"; anchored, so a user's "deploy.sloth:12:" is kept; a module's Lua
    -- wrapper that tail-calls leaves a "(...tail calls...)" line, which says nothing to the user
    if line:match('^%s+') and not line:match('^%s+sloth:') and not line:find('%[C%]') and not line:find('in ?%?')
      and not line:find('(...tail calls...)', 1, true) then
      lines[#lines + 1] = line
    end
  end
  return table.concat(lines, '\n')
end

-- The module error each thread raised last (its text, code and hint), so that the engine gets the code back when
-- that error ends the call; the error itself stays a string, as Lua code that catches it expects. Weak keys: a
-- finished thread's entry goes with it.
local module_failures = setmetatable({}, { __mode = 'k' })
local running = coroutine.running

-- level 3: above this handler and the error function
local function on_error(e)
  local r = { message = located_error_text(e, nil, 3), traceback = user_traceback(e), location = source_location() }
  local m = module_failures[running()]
  if m and m.text == e then r.code, r.hint = m.code, m.hint end
  return r
end

local function normalize(ok, n, a, b, c)
  if n == 0 or a == nil or a == true then return { success = true, message = type(b) == 'string' and b or nil, output = type(c) == 'table' and c or nil } end
  if a == false then return { success = false, message = b ~= nil and error_text(b) or 'task returned false', output = type(c) == 'table' and c or nil } end
  if type(a) == 'table' and type(a.success) == 'boolean' then
    local message = a.success and a.stdout or (a.error or a.stderr or a.stdout)
    return { success = a.success, message = type(message) == 'string' and message or nil, output = a }
  end
  if type(a) == 'string' then return { success = true, message = a } end
  return { success = true }
end

-- what JS gets for a call that raised: the text, the traceback, and a module error's code and hint
local function failed(e)
  return { ok = false, error = e.message, traceback = e.traceback, location = e.location, code = e.code, hint = e.hint }
end

-- Runs a task body / hook / condition with the task context. Returns a single table for JS.
function S.call(id, kind, data, params, deps, payload)
  local f = fns[id]
  local this = make_context(data)
  params = S.readonly(params or {}, 'params')
  local values = { this = this, params = params, deps = deps, output = payload and payload.output, error = payload and payload.error }
  local positional = (kind == 'body' or kind == 'condition') and { 'this', 'params', 'deps' }
    or (kind == 'on_failure' or kind == 'on_timeout') and { 'this', 'params', 'error' } or { 'this', 'params', 'output' }
  local args = bind_args(f, values, positional)
  local r = table.pack(xpcall(f, on_error, table.unpack(args, 1, args.n)))
  if not r[1] then return failed(r[2]) end
  if kind == 'condition' then return { ok = true, value = r[2] and true or false } end
  if kind ~= 'body' then return { ok = true } end
  return { ok = true, result = normalize(true, r.n - 1, r[2], r[3], r[4]) }
end

function S.call_plain(id, ...)
  local r = table.pack(xpcall(fns[id], on_error, ...))
  if not r[1] then return failed(r[2]) end
  return { ok = true, value = r[2] }
end

function S.export()
  local tasks, workflows = {}, {}
  for _, t in ipairs(task_list) do tasks[#tasks + 1] = t.spec end
  for _, w in ipairs(workflow_list) do workflows[#workflows + 1] = w.spec end
  return { tasks = tasks, workflows = workflows }
end

function S.task_spec(name) local t = tasks_by_name[name] return t and t.spec end

-- A task body created at run time travels to an agent as code (the agent's copy of the file never declares it).
function S.encode_body(id) return S.transfer.encode_function(fns[id], 'to an agent') end
function S.decode_body(code)
  local decoded = S.transfer.decode(code, setmetatable({}, { __index = _G }), 'on this agent')
  return ref(decoded[1])
end

-- A module function call another engine sent here (`target = "agent"`), as a task body whose output holds the value.
-- Errors carry no line of this file: the engine that sent the call raises them at its caller's line.
local remote_calls = setmetatable({}, { __mode = 'k' })
function S.call_body(module, fn, args, n)
  local m = S.modules[module]
  local f = m and rawget(m, fn)
  if f == nil then error('this agent has no function ' .. module .. '.' .. fn .. ' (is it running an older version?)', 0) end
  local body = function() return true, nil, { value = f(table.unpack(args, 1, n)) } end
  remote_calls[body] = true
  return ref(body)
end

-- module functions: JS returns `true, values...` or `false, message, code, hint`, or a promise of those.
-- Varargs, not a packed table: no table per call. Both calls below are tail calls, so level 2 is the module
-- function's caller: the error names its line, as error(message, 2) would.
local yield = coroutine.yield
local function settle(ok, ...)
  if ok == true then return ... end
  -- a call still working returned its id: the runtime resumes this thread with its results once they are there
  if type(ok) == 'number' then return settle(yield(ok)) end
  local message, code, hint = ...
  local info = debug.getinfo(2, 'Slf')
  local where = info and info.currentline > 0 and not remote_calls[info.func] and (info.short_src .. ':' .. info.currentline) or nil
  -- Called from a module's own Lua source (not as a tail call): the user's line is further up.
  if where and info.source:sub(1, 14) == '=sloth:module:' then where = source_location() end
  local text = where and (where .. ': ' .. tostring(message)) or message
  module_failures[running()] = { text = text, code = code, hint = hint }
  error(text, 0)
end
function S.bind(js_fn)
  return function(...) return settle(js_fn(...)) end
end

-- The names of the workflow language, for the test that keeps the editor stubs (workflow-language.ts) complete.
function S.language()
  local function keys(...)
    local set = {}
    for _, t in ipairs({ ... }) do for k in pairs(t) do set[k] = true end end
    return sorted_keys(set)
  end
  local context = make_context({ run_id = "", attempt = 1 })
  return {
    task_methods = keys(setters, Task),
    task_keys = keys(setters, table_aliases),
    workflow_methods = keys(wsetters, Workflow),
    workflow_options = keys(wsetters),
    workflow_config = keys(config_keys),
    context = keys(context),
    context_workdir = keys(context.workdir),
    context_agent = keys(context.agent),
  }
end

__sloth = S
