/**
 * The goroutine module's Lua side, as the value of `M._lua`: encoding calls (with __sloth.transfer, installed by
 * @sloth/lua), handles, and turning outcomes into results. The JS primitives it calls are the module's internals.
 */
export const GOROUTINE_LUA = `(function()
local lib = {}
local pack, unpack = table.pack, table.unpack

local Handle = { __sloth_kind = 'goroutine handle' }
Handle.__index = Handle
Handle.__tostring = function(h) return 'goroutine handle #' .. tostring(h.id) end

local function describe(v)
  local mt = type(v) == 'table' and getmetatable(v)
  if mt and mt.__sloth_kind then return mt.__sloth_kind end
  return type(v)
end

-- errors point at the caller's line in the user's file (frames of internal chunks are skipped)
local function fail(msg)
  local level = 2
  while true do
    local info = debug.getinfo(level, 'Sl')
    if not info then break end
    if info.source:sub(1, 1) == '@' then error(info.source:sub(2) .. ':' .. (info.currentline or 0) .. ': ' .. msg, 0) end
    level = level + 1
  end
  error(msg, 0)
end

-- A JS internal raises with its message (pcall keeps the internal chunk's position out of it).
local function call(f, ...)
  local r = pack(pcall(f, ...))
  if not r[1] then fail(tostring(r[2])) end
  return unpack(r, 2, r.n)
end

local function is_handle(h) return type(h) == 'table' and getmetatable(h) == Handle end

local function check_fn(who, fn, argn)
  if type(fn) ~= 'function' then
    fail(who .. ': argument #' .. argn .. ' (fn): expected function, got ' .. describe(fn))
  end
end

-- Encodes fn(...) and queues it; returns its handle.
local function submit(who, kind, pool, fn, ...)
  local ok, code = pcall(__sloth.transfer.encode_call, fn, ...)
  if not ok then fail(who .. ': ' .. tostring(code)) end
  local id = call(M._submit, who, code, kind, pool)
  return setmetatable({ id = id }, Handle)
end

-- One outcome from JS as the result table users see.
local function result_of(o)
  if o.ok then
    local ok, values = pcall(__sloth.transfer.decode, o.values, _G)
    if ok then return { success = true, values = values, value = values[1] } end
    o = { error = 'goroutine result: ' .. tostring(values) }
  end
  return { success = false, values = { n = 0 }, error = o.error, traceback = o.traceback }
end

local function results_of(outcomes)
  local out = {}
  for i, o in ipairs(outcomes) do out[i] = result_of(o) end
  return out
end

-- Waits for handles (results are kept on them, so awaiting twice is fine) and returns their results in order.
local function collect(who, handles, timeout)
  local ids, pending = {}, {}
  for _, h in ipairs(handles) do
    if not h.result and not pending[h] then
      ids[#ids + 1] = h.id
      pending[h] = #ids
    end
  end
  if #ids > 0 then
    local outcomes = call(M._wait, who, ids, timeout)
    for h, i in pairs(pending) do h.result = result_of(outcomes[i]) end
  end
  local out = {}
  for i, h in ipairs(handles) do out[i] = h.result end
  return out
end

local function check_handles(who, handles)
  if type(handles) ~= 'table' or getmetatable(handles) ~= nil then
    fail(who .. ': argument #1 (handles): expected a list of goroutine handles, got ' .. describe(handles))
  end
  for i, h in ipairs(handles) do
    if not is_handle(h) then
      fail(who .. ': item #' .. i .. ' of the list is not a goroutine handle (got ' .. describe(h) .. '); pass what goroutine.async returned')
    end
  end
end

function lib.async(fn, ...)
  check_fn('goroutine.async', fn, 1)
  return submit('goroutine.async', 'async', nil, fn, ...)
end

function lib.create(fn, ...)
  check_fn('goroutine.create', fn, 1)
  return submit('goroutine.create', 'async', nil, fn, ...)
end

function lib.spawn(fn, ...)
  check_fn('goroutine.spawn', fn, 1)
  submit('goroutine.spawn', 'spawn', nil, fn, ...)
end

function lib.await(h, timeout)
  if not is_handle(h) then
    fail('goroutine.await: argument #1 (handle): expected a handle returned by goroutine.async, got ' .. describe(h))
  end
  local r = collect('goroutine.await', { h }, timeout)[1]
  if r.success then return true, unpack(r.values, 1, r.values.n) end
  return false, r.error
end

function lib.await_all(handles, timeout, who)
  who = who or 'goroutine.await_all'
  check_handles(who, handles)
  return collect(who, handles, timeout)
end

function lib.wait_all(handles, timeout) return lib.await_all(handles, timeout, 'goroutine.wait_all') end

function lib.timeout(ms, fn, ...)
  if type(ms) ~= 'number' or ms < 0 then
    fail('goroutine.timeout: argument #1 (ms): expected a number of milliseconds >= 0, got ' .. describe(ms))
  end
  check_fn('goroutine.timeout', fn, 2)
  local h = submit('goroutine.timeout', 'async', nil, fn, ...)
  local r = collect('goroutine.timeout', { h }, string.format('%dms', math.ceil(ms)))[1]
  if r.success then return true, unpack(r.values, 1, r.values.n) end
  return false, r.error
end

function lib.map(list, fn, opts)
  if type(list) ~= 'table' then fail('goroutine.map: argument #1 (list): expected a list, got ' .. describe(list)) end
  check_fn('goroutine.map', fn, 2)
  if opts ~= nil and type(opts) ~= 'table' then
    fail('goroutine.map: argument #3 (opts): expected a table like { concurrency = 4 }, got ' .. describe(opts))
  end
  local concurrency = opts and opts.concurrency
  if concurrency ~= nil and (math.type(concurrency) ~= 'integer' or concurrency < 1) then
    fail('goroutine.map: opts.concurrency: expected a whole number >= 1, got ' .. tostring(concurrency))
  end
  local n = #list
  if n == 0 then return {} end
  local pool = call(M._pool_create, 'goroutine.map', nil, concurrency or n)
  local handles = {}
  local ok, err = pcall(function()
    for i = 1, n do handles[i] = submit('goroutine.map', 'async', pool, fn, list[i], i) end
  end)
  if not ok then
    pcall(M.pool_close, pool)
    error(err, 0)
  end
  local results = collect('goroutine.map', handles)
  call(M.pool_close, pool)
  local out = {}
  for i = 1, n do
    local r = results[i]
    if not r.success then fail('goroutine.map: item ' .. i .. ' failed: ' .. tostring(r.error)) end
    out[i] = r.values[1]
  end
  return out
end

function lib.pool_create(name, opts)
  if type(name) ~= 'string' or name == '' then
    fail('goroutine.pool_create: argument #1 (name): expected a non-empty string, got ' .. describe(name))
  end
  if opts ~= nil and type(opts) ~= 'table' then
    fail('goroutine.pool_create: argument #2 (opts): expected a table like { workers = 4 }, got ' .. describe(opts))
  end
  local workers = opts and opts.workers or 4
  call(M._pool_create, 'goroutine.pool_create', name, workers)
  return true
end

function lib.pool_submit(name, fn, ...)
  if type(name) ~= 'string' then
    fail('goroutine.pool_submit: argument #1 (name): expected a pool name, got ' .. describe(name))
  end
  check_fn('goroutine.pool_submit', fn, 2)
  return submit('goroutine.pool_submit', 'async', name, fn, ...)
end

function lib.pool_wait(name, timeout)
  return results_of(call(M._pool_wait, 'goroutine.pool_wait', name, timeout))
end

-- wait_group(): wg:go(fn, ...) starts and tracks a goroutine, wg:add(handle) tracks one, wg:wait(timeout) collects them.
local WaitGroup = { __sloth_kind = 'wait group' }
WaitGroup.__index = WaitGroup
local function check_wg(self, method)
  if getmetatable(self) ~= WaitGroup then fail('call it as wg:' .. method .. '(...), with a colon') end
end
function WaitGroup.go(self, fn, ...)
  check_wg(self, 'go')
  check_fn('wg:go', fn, 1)
  local h = submit('wg:go', 'async', nil, fn, ...)
  self.handles[#self.handles + 1] = h
  return h
end
function WaitGroup.add(self, h)
  check_wg(self, 'add')
  if not is_handle(h) then
    fail('wg:add: expected a handle returned by goroutine.async, got ' .. describe(h) .. ' (wg:go(fn) starts and adds one)')
  end
  self.handles[#self.handles + 1] = h
  return h
end
function WaitGroup.wait(self, timeout)
  check_wg(self, 'wait')
  local handles = self.handles
  self.handles = {}
  return collect('wg:wait', handles, timeout)
end
function lib.wait_group() return setmetatable({ handles = {} }, WaitGroup) end

return lib
end)()`;
