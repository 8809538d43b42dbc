import { errorMessage, type ModuleCallContext, type ModuleSpec, MultipleReturns, parseArgs, SlothError } from '@sloth/core';
import { LuaMultiReturn as MultiReturn } from 'wasmoon';
import type { LuaRuntime } from './lua-runtime.js';
import { toLua } from './lua-values.js';

/** What a bound function hands Lua: `true, values...` or `false, message`, as several Lua values (no table to build). */
type Envelope = MultiReturn;

const INSTALL = `
local name, fns, names, luaSources = ...
local m = {}
for k, f in pairs(fns) do m[k] = __sloth.bind(f) end
for k, src in pairs(luaSources) do
  local make = assert(load('local M = ...; return ' .. src, '=sloth:module:' .. name .. '.' .. k, 't'))
  m[k] = make(m)
end
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
    const fns: Record<string, (...raw: unknown[]) => Envelope | Promise<Envelope>> = {};
    const luaSources: Record<string, string> = {};
    for (const [name, spec] of Object.entries(module.functions)) {
      if (spec.lua !== undefined) {
        luaSources[name] = spec.lua;
        continue;
      }
      fns[name] = (...raw: unknown[]) => {
        const ctx = runtime.current?.moduleCtx ?? fallbackCtx();
        try {
          const out = spec.run(parseArgs(module.name, name, spec, raw) as never, ctx);
          if (out && typeof (out as Promise<unknown>).then === 'function') {
            return (out as Promise<unknown>).then(envelope, failure);
          }
          return envelope(out);
        } catch (err) {
          return failure(err);
        }
      };
    }
    await runtime.run(INSTALL, '=sloth:modules', [module.name, fns, Object.keys(module.functions), luaSources], {
      signal: undefined,
      moduleCtx: fallbackCtx(),
    });
  }
}

function envelope(out: unknown): Envelope {
  if (out instanceof MultipleReturns) return MultiReturn.of<unknown>(true, ...out.values.map((v) => toLua(v)));
  return out === undefined ? MultiReturn.of<unknown>(true) : MultiReturn.of<unknown>(true, toLua(out));
}

function failure(err: unknown): Envelope {
  const message = err instanceof SlothError ? (err.hint ? `${err.message} (${err.hint})` : err.message) : errorMessage(err);
  return MultiReturn.of<unknown>(false, message);
}
