/** Lua-side overrides of the standard library so that workflows behave like programs on the host, not in WASM. */
export const STDLIB_LUA = `
local host = ...
local S = __sloth

-- print goes to the task's log, like log.info
print = function(...)
  local parts = {}
  for i = 1, select('#', ...) do parts[#parts + 1] = tostring((select(i, ...))) end
  log.info(table.concat(parts, '\\t'))
end

os.getenv = function(name) return host.getenv(tostring(name)) end
os.exit = function() error('os.exit is not allowed in a workflow: return false (or error(...)) from the task instead', 2) end
-- os.execute runs a real shell command for the task (Lua 5.4 return convention)
os.execute = function(cmd)
  if cmd == nil then return true end
  local r = exec.run(cmd)
  if r.exit_code == 0 then return true, 'exit', 0 end
  return nil, 'exit', r.exit_code
end

-- require: built-in modules by name, else a Lua file next to the workflow
local loaded = {}
require = function(name)
  if type(name) ~= 'string' then error('require expects a module name string, got ' .. type(name), 2) end
  local m = S.modules[name]
  if m then return m end
  if S.lazy and S.lazy[name] then return S.lazy[name]() end
  if loaded[name] ~= nil then return loaded[name] end
  local found = host.find_lua_file(name)
  if found.error then error(found.error, 2) end
  local chunk, err = load(found.source, '@' .. found.path, 't')
  if not chunk then error(err, 2) end
  local result = chunk(name)
  if result == nil then result = true end
  loaded[name] = result
  return result
end

-- params are read-only, as the run gave them
local function readonly(t, what)
  return setmetatable({}, {
    __index = t,
    __newindex = function(_, k) error(what .. ' is read-only (tried to set "' .. tostring(k) .. '")', 2) end,
    __pairs = function() return next, t, nil end,
    __len = function() return #t end,
  })
end
-- params and values are set when the sandbox is used (PreparedSandbox.use)
S.readonly = readonly
`;
