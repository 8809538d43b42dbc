import {
  errorMessage,
  type FunctionSpec,
  type ModuleCallContext,
  type ModuleSpec,
  MultipleReturns,
  nextCallSerial,
  parseArgs,
  SlothError,
} from '@sloth/core/internal';
import type { LuaRuntime } from './lua-runtime.js';
import { toLua } from './lua-values.js';
import { callOnTarget, takeTarget } from './module-target.js';
import { type NativeFunction, NativeFunctions } from './native-calls.js';

const INSTALL = `
local name, fns, names, luaSources, internalFns, internalLua, remote = ...
local m = {}
-- M: what the module's own Lua sources see: its public functions, plus internals that users never see.
local M = setmetatable({}, { __index = m })
for k, f in pairs(fns) do m[k] = __sloth.bind(f) end
for k, f in pairs(internalFns) do rawset(M, k, __sloth.bind(f)) end
local function compile(k, src)
  local make = assert(load('local M = ...; return ' .. src, '=sloth:module:' .. name .. '.' .. k, 't'))
  return make(M)
end
-- A function written in Lua, of a module whose calls can go to an agent or an SSH host: a call with target = "..."
-- in a table argument is sent to its agent as it is (tail calls, so an error names the caller's line); for a host
-- reached over SSH it runs here, without target, acting on that host.
local function targetable(k, f)
  local send = __sloth.bind(remote.call)
  local enter, leave = __sloth.bind(remote.enter), __sloth.bind(remote.leave)
  local function here(target, i, ...)
    local args = table.pack(...)
    local without = {}
    for key, v in pairs(args[i]) do if key ~= 'target' then without[key] = v end end
    args[i] = without
    if next(without) == nil and i == args.n then args.n = i - 1 end
    local token = enter(target)
    local out = table.pack(pcall(f, table.unpack(args, 1, args.n)))
    leave(token)
    if not out[1] then error(out[2], 0) end
    return table.unpack(out, 2, out.n)
  end
  return function(...)
    for i = select('#', ...), 1, -1 do
      local a = select(i, ...)
      if type(a) == 'table' and rawget(a, 'target') ~= nil then
        if remote.direct(rawget(a, 'target')) then return here(rawget(a, 'target'), i, ...) end
        return send(k, ...)
      end
    end
    return f(...)
  end
end
for k, src in pairs(luaSources) do m[k] = remote and targetable(k, compile(k, src)) or compile(k, src) end
for k, src in pairs(internalLua) do rawset(M, k, compile(k, src)) end
setmetatable(m, { __index = function(_, key)
  error('unknown function ' .. name .. '.' .. tostring(key) .. __sloth.did_you_mean(key, names), 2)
end })
_G[name] = m
__sloth.modules[name] = m
`;

/** Exposes each module to Lua as a global table whose functions validate their arguments and await async work. */
export async function bindModules(
  runtime: LuaRuntime,
  modules: ModuleSpec[],
  fallbackCtx: () => ModuleCallContext,
): Promise<void> {
  for (const module of modules) {
    if (module.lazy) {
      await bindLazyModule(runtime, module, modules, fallbackCtx);
      continue;
    }
    const targetable = module.targetable === true;
    const [fns, luaSources] = bindFunctions(runtime, module.name, module.functions, fallbackCtx, targetable);
    const [internalFns, internalLua] = bindFunctions(runtime, module.name, module.internals ?? {}, fallbackCtx, false);
    const args = [
      module.name,
      new NativeFunctions(fns),
      Object.keys(module.functions),
      luaSources,
      new NativeFunctions(internalFns),
      internalLua,
      targetable
        ? new NativeFunctions({
            call: remoteCall(runtime, module.name, module.functions, fallbackCtx),
            ...directTargets(runtime, fallbackCtx),
          })
        : undefined,
    ];
    await runtime.run(INSTALL, '=sloth:modules', args, {
      signal: undefined,
      moduleCtx: fallbackCtx(),
    });
  }
}

/**
 * A module known by name only (ModuleSpec.lazy): its global is a stand-in whose first field read loads it, binds it
 * (the stand-in is then replaced) and puts it in `modules` in place of the lazy entry; `require` of its name loads it
 * too. Runs in the thread that read it, which waits while the module's code is imported.
 */
async function bindLazyModule(
  runtime: LuaRuntime,
  module: ModuleSpec,
  modules: ModuleSpec[],
  fallbackCtx: () => ModuleCallContext,
): Promise<void> {
  const lazy = module.lazy as NonNullable<ModuleSpec['lazy']>;
  let loading: Promise<unknown[]> | undefined;
  const load: NativeFunction = () => {
    loading ??= lazy.load().then(
      async (real) => {
        const at = modules.indexOf(module);
        if (at >= 0) modules[at] = real;
        await bindModules(runtime, [real], fallbackCtx);
        return [true];
      },
      (err: unknown) => {
        loading = undefined; // a plugin fixed meanwhile loads on the next use
        return failure(err);
      },
    );
    return loading;
  };
  await runtime.run(LAZY_INSTALL, `=sloth:module:${module.name}`, [module.name, new NativeFunctions({ load })], {
    signal: undefined,
    moduleCtx: fallbackCtx(),
  });
}

const LAZY_INSTALL = `
local name, native = ...
local S = __sloth
local fetch = S.bind(native.load)
S.lazy = S.lazy or {}
S.lazy[name] = function()
  local m = S.modules[name]
  if m == nil then fetch(); m = S.modules[name] end
  return m
end
_G[name] = setmetatable({}, { __index = function(_, key) return S.lazy[name]()[key] end })
`;

/** JS functions that validate their arguments and run with the calling task's context, and the Lua sources. */
function bindFunctions(
  runtime: LuaRuntime,
  module: string,
  functions: Record<string, FunctionSpec>,
  fallbackCtx: () => ModuleCallContext,
  targetable: boolean,
): [Record<string, NativeFunction>, Record<string, string>] {
  const fns: Record<string, NativeFunction> = {};
  const luaSources: Record<string, string> = {};
  for (const [name, spec] of Object.entries(functions)) {
    if (spec.lua !== undefined) {
      luaSources[name] = spec.lua;
      continue;
    }
    const one = spec.returns !== NOTHING;
    const qualified = `${module}.${name}`;
    fns[name] = (raw) => {
      // The function's own name rides in its context, so the module never types it in its messages.
      const ctx = { ...(runtime.current?.moduleCtx ?? fallbackCtx()), fn: qualified, callSerial: nextCallSerial() };
      try {
        const targeted = targetable ? takeTarget(qualified, spec, raw) : undefined;
        const out = targeted
          ? callOnTarget(module, name, spec, targeted, ctx)
          : spec.run(parseArgs(module, name, spec, raw) as never, ctx);
        if (out && typeof (out as Promise<unknown>).then === 'function') {
          return (out as Promise<unknown>).then(
            (v) => results(v, one),
            (err) => failure(err),
          );
        }
        return results(out, one);
      } catch (err) {
        return failure(err);
      }
    };
  }
  return [fns, luaSources];
}

/** `remote.call(name, args...)`: a call with `target` of a module function written in Lua, sent to its agent. */
function remoteCall(
  runtime: LuaRuntime,
  module: string,
  functions: Record<string, FunctionSpec>,
  fallbackCtx: () => ModuleCallContext,
): NativeFunction {
  return ([name, ...raw]) => {
    const qualified = `${module}.${String(name)}`;
    const ctx = { ...(runtime.current?.moduleCtx ?? fallbackCtx()), fn: qualified, callSerial: nextCallSerial() };
    const spec = functions[String(name)] as FunctionSpec;
    const targeted = takeTarget(qualified, spec, raw);
    if (!targeted) return failure(new SlothError('internal', `${qualified}: sent to an agent without a target`));
    return callOnTarget(module, String(name), spec, targeted, ctx).then(
      (v) => results(v, true),
      (err) => failure(err),
    );
  };
}

/**
 * `remote.direct(target)`: whether a target is a host reached over SSH; `remote.enter(target)` makes the calling
 * thread's module calls act on it until `remote.leave(token)` (a function written in Lua runs whole there).
 */
function directTargets(runtime: LuaRuntime, fallbackCtx: () => ModuleCallContext): Record<string, NativeFunction> {
  const saved = new Map<number, ModuleCallContext>();
  let next = 0;
  const thread = () => runtime.current;
  return {
    // A plain Lua value, not through __sloth.bind.
    direct: ([target]) => [
      typeof target === 'string' && (thread()?.moduleCtx ?? fallbackCtx()).services?.remote?.has(target) === true,
    ],
    enter: ([target]) => {
      const st = thread();
      if (!st) return failure(new SlothError('internal', 'remote.enter outside a Lua thread'));
      const remote = st.moduleCtx.services?.remote;
      if (!remote) return failure(new SlothError('internal', 'remote.enter without SSH hosts'));
      const token = ++next;
      saved.set(token, st.moduleCtx);
      st.moduleCtx = { ...st.moduleCtx, host: remote.host(String(target), st.moduleCtx) };
      return [true, token];
    },
    leave: ([token]) => {
      const st = thread();
      const previous = saved.get(Number(token));
      saved.delete(Number(token));
      if (st && previous) st.moduleCtx = previous;
      return [true];
    },
  };
}

/** The `returns` of a function that gives Lua no value at all. */
const NOTHING = 'nothing';

/**
 * What a bound function hands Lua: `true, values...`; a promise of it resolves to the same, as several values.
 * A function documented to return a value returns exactly one even when it is nil: `tostring(state.get("x"))` and
 * `select('#', ...)` need it to be there.
 */
function results(out: unknown, one: boolean): unknown[] {
  if (out instanceof MultipleReturns) return [true, ...out.values.map((v) => toLua(v))];
  if (out === undefined) return one ? [true, undefined] : [true];
  return [true, toLua(out)];
}

/**
 * What a failed call hands Lua: `false, message, code, hint` (prelude's __sloth.bind raises the message at the
 * caller's line and keeps the code and hint for the engine).
 */
function failure(err: unknown): unknown[] {
  if (!(err instanceof SlothError)) return [false, errorMessage(err)];
  return [false, err.hint ? `${err.message} (${err.hint})` : err.message, err.code, err.hint];
}
