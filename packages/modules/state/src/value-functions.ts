import { arg, fn, mapAwaitable, maskDeep, z } from '@sloth/core/internal';
import { keyArg, patternArg, ttlArg, valueArg } from './args.js';
import { stateOf, ttlMs } from './state-access.js';

export const set = fn({
  doc: 'Stores a value under a key, replacing the value and its expiry. With a ttl the key disappears after it; a nil value deletes the key. A secret value (secret.get) in it is stored as ***.',
  args: [keyArg, valueArg, ttlArg],
  returns: 'true',
  examples: [
    'state.set("deployment_count", 1, 3600) -- TTL of 1 hour',
    'state.set("release", { version = "v2.1.0", hosts = { "web-1", "web-2" } }, "24h")',
  ],
  run: ([key, value, ttl], ctx) => {
    return mapAwaitable(stateOf(ctx).set(key, maskDeep(value), ttlMs(ttl, `${ctx.fn}('${key}')`)), () => true);
  },
});

export const get = fn({
  doc: 'The value of a key, or `default` (nil if not given) when the key is absent or has expired.',
  args: [keyArg, arg('default', z.unknown(), 'returned when the key is absent')],
  returns: 'any: the stored value (tables come back as tables), or default',
  examples: ['local image = state.get("docker_image")', 'local runs = state.get("runs", 0)'],
  run: ([key, fallback], ctx) => mapAwaitable(stateOf(ctx).get(key), (v) => v ?? fallback),
});

export const del = fn({
  doc: 'Deletes a key.',
  args: [keyArg],
  returns: 'boolean: true if the key existed',
  examples: ['state.delete("maintenance_mode")'],
  run: ([key], ctx) => stateOf(ctx).delete(key),
});

export const exists = fn({
  doc: 'Whether a key exists (an expired key does not).',
  args: [keyArg],
  returns: 'boolean',
  examples: ['if state.exists("docker_image") then log.info("image built") end'],
  run: ([key], ctx) => stateOf(ctx).exists(key),
});

export const keys = fn({
  doc: 'The keys matching a glob pattern, sorted.',
  args: [patternArg],
  returns: 'list of strings',
  examples: ['for _, k in ipairs(state.keys("deploy:*")) do log.info(k) end'],
  run: ([pattern], ctx) => stateOf(ctx).keys(pattern),
});

export const list = fn({
  doc: 'The keys matching a glob pattern with their values.',
  args: [patternArg],
  returns: 'table: { key = value, ... }',
  examples: ['for k, v in pairs(state.list("feature:*")) do log.info(k .. " = " .. tostring(v)) end'],
  run: ([pattern], ctx) =>
    mapAwaitable(stateOf(ctx).list(pattern), (entries) => Object.fromEntries(entries.map((e) => [e.key, e.value]))),
});

export const clear = fn({
  doc: 'Deletes every key matching a glob pattern (every key when nil).',
  args: [patternArg],
  returns: 'integer: how many keys were deleted',
  examples: ['local n = state.clear("cache:*")', 'state.clear() -- everything'],
  run: ([pattern], ctx) => stateOf(ctx).clear(pattern),
});

export const append = fn({
  doc:
    'Appends to a string (concatenation) or a list (adds one element). An absent key starts as the string, ' +
    'or as a one-element list when the value is not a string; state.set(key, {}) starts an empty list. ' +
    'Appending to a number or a key = value table is an error. Atomic; the key keeps its expiry.',
  args: [keyArg, valueArg],
  returns: 'integer: the new length (bytes of a string, elements of a list)',
  examples: ['state.append("deploy_log", "web-1 ok\\n")', 'state.set("hosts_done", {})\nstate.append("hosts_done", "web-1")'],
  run: ([key, value], ctx) => stateOf(ctx).append(key, maskDeep(value)),
});

export const setIfAbsent = fn({
  doc: 'Stores a value only if the key is absent (or has expired). Atomic across processes: exactly one caller wins.',
  args: [keyArg, valueArg, ttlArg],
  returns: 'boolean: true if it was stored',
  examples: ['if state.set_if_absent("leader", os.getenv("HOSTNAME"), 60) then log.info("I lead") end'],
  run: ([key, value, ttl], ctx) => stateOf(ctx).setIfAbsent(key, maskDeep(value), ttlMs(ttl, `${ctx.fn}('${key}')`)),
});

export const ttl = fn({
  doc: 'Seconds until a key expires, rounded up; -1 if it never expires, -2 if it does not exist (as Redis TTL).',
  args: [keyArg],
  returns: 'integer',
  examples: ['local left = state.ttl("session") -- e.g. 3599; -1: no expiry; -2: absent'],
  run: ([key], ctx) => stateOf(ctx).ttl(key),
});

export const expire = fn({
  doc: 'Gives an existing key a new time to live from now (0 deletes it now).',
  args: [keyArg, arg('ttl', z.union([z.number(), z.string()]), 'seconds or a duration like "10m"')],
  returns: 'boolean: true if the key exists',
  examples: ['state.expire("session", "30m")'],
  run: ([key, ttl], ctx) => stateOf(ctx).expire(key, ttlMs(ttl, `${ctx.fn}('${key}')`) ?? 0),
});

export const persist = fn({
  doc: 'Removes the expiry of a key, so it is kept until deleted.',
  args: [keyArg],
  returns: 'boolean: true if the key exists',
  examples: ['state.persist("session")'],
  run: ([key], ctx) => stateOf(ctx).persist(key),
});

export const stats = fn({
  doc: 'Counts of the state: live keys, keys with a ttl, bytes of stored values, held state locks; sweeps expired keys first.',
  args: [],
  returns: '{ keys, with_ttl, bytes, expired_removed, locks, path }',
  examples: ['local s = state.stats()\nlog.info(s.keys .. " keys in " .. s.path)'],
  run: (_args, ctx) =>
    mapAwaitable(stateOf(ctx).stats(), (s) => ({
      keys: s.keys,
      with_ttl: s.withTtl,
      bytes: s.bytes,
      expired_removed: s.expiredRemoved,
      locks: s.locks,
      path: s.path,
    })),
});
