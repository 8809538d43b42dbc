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
 * Args: the event table. Calls hook.execute(event): `return true, "msg"` (or nothing) succeeds, `return false, "why"`
 * fails, and an error() fails with its message (file:line of the hook).
 */
export const EXECUTE_HOOK_LUA = `
local ev = ...
local r = table.pack(xpcall(__sloth_hook.execute, __sloth_hook_error, ev))
if not r[1] then return { success = false, error = r[2] } end
local a, b = r[2], r[3]
local function msg(v)
  if v == nil then return nil end
  if type(v) == 'table' then return json and json.encode(v) or tostring(v) end
  return tostring(v)
end
if a == false then return { success = false, error = msg(b) or 'hook returned false' } end
if a == nil or a == true then return { success = true, output = msg(b) } end
if type(a) == 'string' then return { success = true, output = a } end
return { success = true, output = msg(a) }
`;
