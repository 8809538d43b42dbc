import { builtinModules } from '@sloth/builtin-modules';
import type { FunctionSpec, ModuleCallContext, ModuleSpec } from '@sloth/core';
import { testContext } from '@sloth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LuaRuntime } from './lua-runtime.js';
import { createSandbox } from './lua-sandbox.js';

// Every built-in function, driven by its own metadata: one whose docs promise a value hands Lua exactly one value
// when that value is nil (so `tostring(state.get("x"))` works), one documented to return nothing hands none.
const jsFunctions = builtinModules.flatMap((module) =>
  Object.entries(module.functions)
    .filter(([, spec]) => spec.lua === undefined)
    .map(([name, spec]) => ({ module: module.name, name, spec })),
);

/** The same modules with every JS function answering nil, right away or after a turn of the event loop. */
function answeringNil(async: boolean): ModuleSpec[] {
  return builtinModules.map((module) => ({
    name: `nil_${async ? 'async' : 'sync'}_${module.name}`,
    doc: module.doc,
    functions: Object.fromEntries(
      Object.entries(module.functions)
        .filter(([, spec]) => spec.lua === undefined)
        .map(([name, spec]): [string, FunctionSpec] => [
          name,
          { ...spec, args: [], run: () => (async ? new Promise((r) => setImmediate(() => r(undefined))) : undefined) },
        ]),
    ),
  }));
}

let runtime: LuaRuntime;
let ctx: ModuleCallContext;
beforeAll(async () => {
  ctx = testContext().ctx;
  runtime = await createSandbox({ modules: [...answeringNil(false), ...answeringNil(true)], fallbackCtx: () => ctx });
});
afterAll(() => runtime.close());

describe.each(['sync', 'async'])('a nil result of a %s module function', (mode) => {
  it.each(jsFunctions.map((f) => [`${f.module}.${f.name}`, f] as const))('%s', async (_where, f) => {
    const count = await runtime.run(`return select('#', nil_${mode}_${f.module}.${f.name}())`, '@returns-test.lua', [], {
      signal: undefined,
      moduleCtx: ctx,
    });
    expect(count).toBe(f.spec.returns === 'nothing' ? 0 : 1);
  });
});

it('covers the functions that made users trip: state.get, json.decode, stack.get_output', () => {
  const names = jsFunctions.map((f) => `${f.module}.${f.name}`);
  expect(names).toEqual(expect.arrayContaining(['state.get', 'json.decode', 'stack.get_output']));
});
