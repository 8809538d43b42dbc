/**
 * The Lua side of infra_test: soft and eventually (they call back into Lua) and the stack of their collectors. A
 * check made inside a block passes the innermost block's collector id to `_check`, which then records instead of
 * raising. The stack is per thread (coroutine), so that tasks running side by side in one Lua state never share one.
 */
export const INFRA_TEST_LUA = `(function()
local lib = {}
local stacks = setmetatable({}, { __mode = 'k' })
local running = coroutine.running
local pack = table.pack

local fail = __sloth.raise_at_user
-- a message raised by a JS internal names the internal chunk's line: the user's line is put in its place
local function strip(msg) return (tostring(msg):gsub('^sloth:[^\\n]-:%d+: ', '')) end

function lib.collector()
  local s = stacks[running()]
  return s and s[#s] or nil
end

-- runs f with a new collector on top of this thread's stack
local function collected(f)
  local co = running()
  local s = stacks[co]
  if not s then s = {}; stacks[co] = s end
  local parent = s[#s]
  local id = M._collect_begin()
  s[#s + 1] = id
  local r = pack(pcall(f))
  s[#s] = nil
  return id, parent, r
end

function lib.soft(f)
  if type(f) ~= 'function' then fail('infra_test.soft: argument #1 (fn): expected function, got ' .. type(f)) end
  local id, parent, r = collected(f)
  local list = M._collect_end(id, parent, true)
  if not r[1] then error(r[2], 0) end
  local failed = 0
  for _, a in ipairs(list) do if not a.passed then failed = failed + 1 end end
  return list, failed
end

function lib.eventually(opts, f)
  if type(f) ~= 'function' then fail('infra_test.eventually: argument #2 (fn): expected function, got ' .. type(f)) end
  local ok, plan = pcall(M._eventually_plan, opts)
  if not ok then fail(strip(plan)) end
  local attempts = 0
  while true do
    attempts = attempts + 1
    local id, parent, r = collected(f)
    -- an error that is not a failed check (a wrong argument, a typo) is not retried
    if not r[1] then M._collect_end(id, parent, true); error(r[2], 0) end
    local failures = M._collect_failures(id)
    if failures == nil then M._collect_end(id, parent, true); return true end
    local more, took = M._eventually_wait(plan)
    if not more then
      M._collect_end(id, parent, true)
      fail('infra_test.eventually: still failing after ' .. took .. ' (' .. attempts .. (attempts == 1 and ' attempt' or ' attempts') .. '): ' .. failures)
    end
    -- only the last attempt's checks count
    M._collect_end(id, parent, false)
  end
end

return lib
end)()`;
