// The Lua side of a hook: loading its file into a sandbox, and calling hook.execute(event).

/**
 * Args: source, chunkname. Loads the hook file, keeps the table it returns as __sloth_hook and returns a description
 * made of plain values only (strings, numbers, types), for zod to check on the JS side.
 */
export const DESCRIBE_HOOK_LUA = `
local source, chunkname = ...
local function text(e)
  if type(e) == 'table' and type(e.message) == 'string' then return e.message end
  return tostring(e)
end
__sloth_hook_error = text
local f, err = load(source, chunkname, 't')
if not f then return { error = err } end
local ok, h = xpcall(f, text)
if not ok then return { error = h } end
if type(h) ~= 'table' then return { returned = type(h) } end
__sloth_hook = h
local function plain(v) local t = type(v) if t == 'string' or t == 'number' or t == 'boolean' then return v end end
return {
  returned = 'table',
  name = plain(h.name), name_type = type(h.name),
  event_type = plain(h.event_type), event_type_type = type(h.event_type),
  stack = plain(h.stack), stack_type = type(h.stack),
  timeout = plain(h.timeout), timeout_type = type(h.timeout),
  max_attempts = plain(h.max_attempts), max_attempts_type = type(h.max_attempts),
  execute_type = type(h.execute),
}
`;

/**
 * Run once after DESCRIBE_HOOK_LUA. Defines __sloth_hook_batch(key, events, n): calls hook.execute on each of the n
 * events in turn, without a call back to JS per event (that would cost more than a trivial hook), and returns a
 * report of them all. While it runs, __sloth_hook_progress(key) says which event is running and for how long (for
 * its timeout), and __sloth_hook_report(key) returns what finished so far (when the batch was stopped).
 * `events` is the text of a Lua list literal (loaded with an empty environment) of event tables; an event that
 * could not be written as one is a string instead, saying why, and fails without running the hook. `return true, "msg"` (or nothing) succeeds, `return false, "why"` fails, and an error() fails with
 * its message (file:line of the hook).
 * A report is "OKS;STARTS;DURATIONS" (e.g. "101;0,0.01,0.02;0.01,0.01,0.003": success flags, then seconds since the
 * batch began and seconds taken; os.clock is wall time in this build), or { s = that, texts = { i, text, ... } } with
 * the output (or error) of the events that have one.
 */
export const BATCH_HOOK_LUA = `
local clock, concat, floor, load, type, tostring, xpcall = os.clock, table.concat, math.floor, load, type, tostring, xpcall
local running = {}
local function msg(v)
  if v == nil then return nil end
  if type(v) == 'table' then return json and json.encode(v) or tostring(v) end
  return tostring(v)
end
-- One string when no event has an output or error (a table costs more to convert than the hook costs to run).
local function report(b)
  local s = concat(b.oks) .. ';' .. concat(b.starts, ',') .. ';' .. concat(b.durations, ',')
  if #b.texts == 0 then return s end
  return { s = s, texts = b.texts }
end
function __sloth_hook_progress(key)
  local b = running[key]
  if b then return { i = b.i, elapsed = clock() - b.at } end
end
function __sloth_hook_report(key)
  local b = running[key]
  running[key] = nil
  if b then return report(b) end
end
function __sloth_hook_batch(key, events, n)
  local f, err = load('return ' .. events, '=events', 't', {})
  if not f then error('could not read the events: ' .. err, 0) end
  events = f()
  local t0 = clock()
  local b = { i = 0, at = t0, oks = {}, starts = {}, durations = {}, texts = {} }
  running[key] = b
  local oks, starts, durations, texts = b.oks, b.starts, b.durations, b.texts
  local execute, handler = __sloth_hook.execute, __sloth_hook_error
  -- One clock reading per event (its end is the next one's start); times go back as whole microseconds, which are
  -- cheaper to format and parse than floats.
  local now = t0
  for i = 1, n do
    local at = now
    b.i, b.at = i, at
    local ev = events[i]
    local ok, x, y
    if type(ev) == 'string' then ok, x = false, ev else ok, x, y = xpcall(execute, handler, ev) end
    local success, text
    if not ok then success, text = false, x
    elseif x == false then success, text = false, msg(y) or 'hook returned false'
    elseif x == nil or x == true then success, text = true, msg(y)
    elseif type(x) == 'string' then success, text = true, x
    else success, text = true, msg(x) end
    now = clock()
    starts[i], durations[i], oks[i] = floor((at - t0) * 1e6), floor((now - at) * 1e6), success and '1' or '0'
    if text ~= nil then texts[#texts + 1] = i; texts[#texts + 1] = text end
  end
  running[key] = nil
  return report(b)
end
`;

/** Args: key, events, n (see BATCH_HOOK_LUA). */
export const RUN_BATCH_LUA = 'return __sloth_hook_batch(...)';
/** Args: key. The running event of a batch: { i, elapsed } in seconds, or nil when the batch is over. */
export const BATCH_PROGRESS_LUA = 'return __sloth_hook_progress(...)';
/** Args: key. What a stopped batch finished (a report), or nil; forgets the batch. */
export const BATCH_REPORT_LUA = 'return __sloth_hook_report(...)';
