-- The goroutine codec: turns a Lua function with its arguments (or a list of results) into ONE string that another
-- Lua state (a worker thread's) can rebuild, and back. Installed as __sloth.transfer on both ends.
--
-- Format: a Lua table literal { n = <count>, r = { <values> }, d = { <nodes> } } loaded with an empty environment.
-- A value is a number or string literal made with %q (exact floats, integers, NUL bytes), a boolean, nil, or {id}
-- pointing at a node. Nodes live in one flat list, so cycles and recursive local functions just point back:
--   { 't', k1, v1, k2, v2, ... }       a table (contents copied; metatables stay behind)
--   { 'f', hex, nups, u1, ..., un }    a Lua function: string.dump bytes as hex (NUL bytes do not survive JS), upvalues
--   { 'e' }                            _ENV: the receiving side's environment (a fresh one per goroutine in a worker)
--   { 'g', 'path' }                    a module, standard library table or function, re-bound by name on the other side
local T = {}

-- Every table and function of the pristine globals (modules, standard library, DSL), by identity and by path.
-- Taken once, before any workflow code runs, so user globals are never mistaken for library values.
local known, by_path = {}, {}
local DATA = { _G = true, __sloth = true, params = true, values = true, package = true }
for name, v in pairs(_G) do
  if not DATA[name] and (type(v) == 'function' or type(v) == 'table') and known[v] == nil then
    known[v] = name
    by_path[name] = v
    if type(v) == 'table' then
      for k, f in next, v do
        if type(k) == 'string' and type(f) == 'function' and known[f] == nil then
          known[f] = name .. '.' .. k
          by_path[name .. '.' .. k] = f
        end
      end
    end
  end
end

local ALLOWED = '(only numbers, strings, booleans, tables, module tables and Lua functions can)'
local KIND = {
  thread = 'a coroutine',
  userdata = 'userdata (a value owned by the host, such as a file handle)',
}

local hex_of, byte_of = {}, {}
for i = 0, 255 do
  local c, h = string.char(i), string.format('%02x', i)
  hex_of[c], byte_of[h] = h, c
end

-- string.dump + hex costs as much as the call itself; the same function is often sent many times (map, loops).
local dump_cache, dump_cached = {}, 0
local function dumped(f)
  local bytes = string.dump(f)
  local hex = dump_cache[bytes]
  if not hex then
    hex = bytes:gsub('.', hex_of)
    if dump_cached >= 256 then dump_cache, dump_cached = {}, 0 end
    dump_cache[bytes], dump_cached = hex, dump_cached + 1
  end
  return hex
end

local load_cache, load_cached = {}, 0
local function undumped(hex)
  local bytes = load_cache[hex]
  if not bytes then
    bytes = hex:gsub('%x%x', byte_of)
    if load_cached >= 256 then load_cache, load_cached = {}, 0 end
    load_cache[hex], load_cached = bytes, load_cached + 1
  end
  return bytes
end

local function quote(s)
  local q = string.format('%q', s)
  -- Valid UTF-8 crosses JS unchanged; other high bytes would become U+FFFD, so they are escaped (always 3 digits).
  if utf8.len(s) == nil then q = q:gsub('[\128-\255]', function(c) return '\\' .. c:byte() end) end
  return q
end

-- Encodes a list of values; `label(i)` names root value i in errors ("argument #2"), `direction` says which way.
local function encode(values, n, label, direction)
  local out, nodes, ids, env_id = {}, {}, {}, nil
  local path = {}

  local function refuse(kind)
    local what = #path > 0 and table.concat(path, ' > ') or 'the function'
    error(what .. ' is ' .. kind .. ' and cannot travel ' .. direction .. ' ' .. ALLOWED, 0)
  end

  local value
  local function node(v, make)
    local id = ids[v]
    if id then return '{' .. id .. '}' end
    id = #nodes + 1
    ids[v] = id
    nodes[id] = false -- reserved: children get higher ids
    nodes[id] = make()
    return '{' .. id .. '}'
  end

  function value(v)
    local t = type(v)
    if t == 'nil' then return 'nil' end
    if t == 'boolean' then return v and 'true' or 'false' end
    if t == 'number' then return string.format('%q', v) end
    if t == 'string' then return quote(v) end
    local name = known[v]
    if name then return node(v, function() return "{'g'," .. quote(name) .. '}' end) end
    if v == _G then
      if not env_id then
        env_id = #nodes + 1
        nodes[env_id] = "{'e'}"
      end
      return '{' .. env_id .. '}'
    end
    if t == 'table' then
      return node(v, function()
        local parts = { "'t'" }
        for k, x in pairs(v) do
          path[#path + 1] = type(k) == 'string' and ("field '" .. k .. "'") or ('[' .. tostring(k) .. ']')
          parts[#parts + 1] = value(k)
          parts[#parts + 1] = value(x)
          path[#path] = nil
        end
        return '{' .. table.concat(parts, ',') .. '}'
      end)
    end
    if t == 'function' then
      if debug.getinfo(v, 'S').what == 'C' then refuse('a C function that is not part of a module or the standard library') end
      return node(v, function()
        local nups = debug.getinfo(v, 'u').nups
        local parts = { "'f'", "'" .. dumped(v) .. "'", tostring(nups) }
        for i = 1, nups do
          local uname, uv = debug.getupvalue(v, i)
          if uname == '_ENV' then
            parts[#parts + 1] = value(_G)
          else
            path[#path + 1] = "upvalue '" .. tostring(uname) .. "'"
            parts[#parts + 1] = value(uv)
            path[#path] = nil
          end
        end
        return '{' .. table.concat(parts, ',') .. '}'
      end)
    end
    refuse(KIND[t] or t)
  end

  for i = 1, n do
    path[1] = label(i)
    out[i] = value(values[i])
  end
  return '{n=' .. n .. ',r={' .. table.concat(out, ',', 1, n) .. '},d={' .. table.concat(nodes, ',') .. '}}'
end

-- fn's own upvalues are the usual culprits, so they are named plainly ("upvalue 'x'", not "fn > upvalue 'x'").
local function call_label(i) return i > 1 and ('argument #' .. (i - 1)) or nil end

--- Encodes fn and its arguments for a goroutine. Raises "upvalue 'x' is a coroutine and cannot travel ..." and the like.
function T.encode_call(fn, ...)
  local values = table.pack(fn, ...)
  return encode(values, values.n, call_label, 'to a goroutine')
end

--- Encodes one function with its upvalues for another Lua state (a task body created at run time, sent to an agent).
function T.encode_function(fn, direction)
  return encode(table.pack(fn), 1, call_label, direction)
end

--- Encodes a goroutine's results (table.pack'ed) to send them back.
function T.encode_results(values)
  return encode(values, values.n, function(i) return 'return value #' .. i end, 'back from a goroutine')
end

--- Rebuilds the values of an encoded string as a table.pack'ed list; functions get `env` as their _ENV. `where` names
--- the receiving side in errors (default "inside a goroutine").
function T.decode(s, env, where)
  local spec = assert(load('return ' .. s, '=goroutine data', 't', {}))()
  local objs = {}
  local nodes = spec.d
  for id = 1, #nodes do
    local nd = nodes[id]
    local kind = nd[1]
    if kind == 't' then objs[id] = {}
    elseif kind == 'f' then objs[id] = assert(load(undumped(nd[2]), '=goroutine', 'b', env))
    elseif kind == 'e' then objs[id] = env
    else
      objs[id] = by_path[nd[2]]
      if objs[id] == nil then error("'" .. nd[2] .. "' is not available " .. (where or 'inside a goroutine'), 0) end
    end
  end
  local function val(v)
    if type(v) == 'table' then return objs[v[1]] end
    return v
  end
  for id = 1, #nodes do
    local nd = nodes[id]
    if nd[1] == 't' then
      local t = objs[id]
      for i = 2, #nd, 2 do t[val(nd[i])] = val(nd[i + 1]) end
    elseif nd[1] == 'f' then
      local f = objs[id]
      for i = 1, nd[3] do debug.setupvalue(f, i, val(nd[3 + i])) end
    end
  end
  local out = { n = spec.n }
  for i = 1, spec.n do out[i] = val(spec.r[i]) end
  return out
end

local GLOBAL_HINT = ' (globals of the workflow file are not visible inside a goroutine: make it a local, '
  .. 'or pass it as an argument)'

local function traceback_of(e)
  local tb = debug.traceback('', 2)
  local lines = {}
  for line in tb:gmatch('[^\n]+') do
    -- the user's frames only: internal chunks are named "sloth:...", C functions "[C]"
    if line:match('^%s+') and not line:match('^%s+sloth:') and not line:find('[C]', 1, true)
      and not line:find('(...tail calls...)', 1, true) then
      lines[#lines + 1] = line
    end
  end
  local message = type(e) == 'string' and e or (type(e) == 'table' and type(e.message) == 'string' and e.message) or tostring(e)
  if message:find("a nil value (global '", 1, true) then
    message = message .. GLOBAL_HINT
  end
  return { message = message, traceback = table.concat(lines, '\n') }
end

--- Runs an encoded call in a fresh environment (globals written by the goroutine stay in it) and encodes what it returns:
--- { ok = true, values = s } or { ok = false, error = message, traceback = text }.
function T.run_job(code)
  local env = setmetatable({}, { __index = _G })
  local ok, call = pcall(T.decode, code, env)
  if not ok then return { ok = false, error = 'goroutine: ' .. tostring(call) } end
  local r = table.pack(xpcall(call[1], traceback_of, table.unpack(call, 2, call.n)))
  if not r[1] then return { ok = false, error = r[2].message, traceback = r[2].traceback } end
  local packed = table.pack(table.unpack(r, 2, r.n))
  local eok, s = pcall(T.encode_results, packed)
  if not eok then return { ok = false, error = 'goroutine result: ' .. tostring(s) } end
  return { ok = true, values = s }
end

__sloth.transfer = T
