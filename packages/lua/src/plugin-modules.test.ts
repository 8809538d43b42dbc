import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { builtinModules } from '@sloth/builtin-modules';
import { type ModuleSpec, type RunEvent, SlothError } from '@sloth/core';
import { writeFiles } from '@sloth/core/testing';
import { describe, expect, it } from 'vitest';
import { WorkflowFile } from './workflow-file.js';

// A module that is not built in (a plugin's), written as its author would: a file that exports it, with importFrom.
const core = pathToFileURL(createRequire(import.meta.url).resolve('@sloth/core')).href;
const PLUGIN = `import { arg, defineModule, fn, z } from '${core}';
export const greetModule = defineModule({
  name: 'greet',
  importFrom: import.meta.url,
  doc: 'Greets people (a test plugin).',
  functions: {
    hello: fn({
      doc: 'Says hello.',
      args: [arg('name', z.string())],
      returns: 'string',
      examples: ['greet.hello("sloth")'],
      run: ([name], ctx) => 'hello ' + name + ' from ' + ctx.fn + (ctx.task ? ' in ' + ctx.task : ''),
    }),
  },
});
`;

const WORKFLOW = `task("t"):command(function()
  log.info(greet.hello("main"))
  local ok, value = goroutine.await(goroutine.async(function() return greet.hello("goroutine") end))
  if ok then log.info(value) else error(value) end
end)`;

async function run(modules: ModuleSpec[], dir: string) {
  const events: RunEvent[] = [];
  const file = await WorkflowFile.load({ file: join(dir, 'w.sloth'), modules });
  try {
    const result = await file.run(file.findWorkflow(), { observer: (e) => events.push(e), baseDir: dir });
    const logs = events.flatMap((e) => (e.type === 'task.log' ? [e.message] : []));
    return { result, logs };
  } finally {
    file.close();
  }
}

describe('a module outside the built-in list', () => {
  it('works in the task and inside goroutines, whose threads import it from its importFrom', async () => {
    const dir = writeFiles({ 'plugin.mjs': PLUGIN, 'w.sloth': WORKFLOW });
    const { greetModule } = (await import(pathToFileURL(join(dir, 'plugin.mjs')).href)) as { greetModule: ModuleSpec };
    const { result, logs } = await run([...builtinModules, greetModule], dir);
    expect(result.status).toBe('success');
    expect(logs).toEqual(['hello main from greet.hello in t', 'hello goroutine from greet.hello in t']);
  });

  it('without importFrom, works in the task and says why it cannot be used inside a goroutine', async () => {
    const dir = writeFiles({ 'plugin.mjs': PLUGIN, 'w.sloth': WORKFLOW });
    const { greetModule } = (await import(pathToFileURL(join(dir, 'plugin.mjs')).href)) as { greetModule: ModuleSpec };
    const { result, logs } = await run([...builtinModules, { ...greetModule, importFrom: undefined }], dir);
    expect(logs[0]).toBe('hello main from greet.hello in t');
    expect(result.tasks[0]?.status).toBe('failed');
    expect(result.tasks[0]?.error).toContain(
      "module 'greet' is not available inside a goroutine (greet.hello): its definition gives no importFrom",
    );
  });

  it('with an importFrom that does not export it, the goroutine fails naming the module and the file', async () => {
    const dir = writeFiles({ 'plugin.mjs': PLUGIN, 'other.mjs': 'export const unrelated = 1;\n', 'w.sloth': WORKFLOW });
    const { greetModule } = (await import(pathToFileURL(join(dir, 'plugin.mjs')).href)) as { greetModule: ModuleSpec };
    const other = pathToFileURL(join(dir, 'other.mjs')).href;
    const { result } = await run([...builtinModules, { ...greetModule, importFrom: other }], dir);
    expect(result.tasks[0]?.status).toBe('failed');
    expect(result.tasks[0]?.error).toContain(`module 'greet': ${other} (its importFrom) exports no module named 'greet'`);
  });
});

describe('a module known by name only (lazy), as a plugin whose names are remembered', () => {
  /** The greet module as a lazy entry of a fresh module list, and how many times its code was loaded. */
  async function lazyGreet(dir: string) {
    const { greetModule } = (await import(pathToFileURL(join(dir, 'plugin.mjs')).href)) as { greetModule: ModuleSpec };
    const loads = { count: 0 };
    const lazy: ModuleSpec = {
      name: 'greet',
      doc: '',
      functions: {},
      plugin: 'sloth-plugin-greet',
      importFrom: greetModule.importFrom,
      lazy: {
        functions: ['hello'],
        load: async () => {
          loads.count += 1;
          return { ...greetModule, plugin: 'sloth-plugin-greet' };
        },
      },
    };
    return { modules: [...builtinModules, lazy], loads };
  }

  it('is loaded before the run when the workflow names it, and then works in goroutines too', async () => {
    const dir = writeFiles({ 'plugin.mjs': PLUGIN, 'w.sloth': WORKFLOW });
    const { modules, loads } = await lazyGreet(dir);
    const { result, logs } = await run(modules, dir);
    expect(result.status).toBe('success');
    expect(logs).toEqual(['hello main from greet.hello in t', 'hello goroutine from greet.hello in t']);
    expect(loads.count).toBe(1);
    expect(modules.at(-1)?.lazy).toBeUndefined(); // the list now holds the loaded module
  });

  it('is not loaded by a workflow that does not use it', async () => {
    const dir = writeFiles({ 'plugin.mjs': PLUGIN, 'w.sloth': 'task("t"):command(function() log.info("no plugin") end)' });
    const { modules, loads } = await lazyGreet(dir);
    const { result } = await run(modules, dir);
    expect(result.status).toBe('success');
    expect(loads.count).toBe(0);
  });

  it('reached by a name built at run time, loads on first use: through require and through _G', async () => {
    const dir = writeFiles({
      'plugin.mjs': PLUGIN,
      'w.sloth': `local n = "gr" .. "eet"
task("t"):command(function()
  log.info(require(n).hello("required"))
  log.info(_G[n].hello("global"))
end)`,
    });
    const { modules, loads } = await lazyGreet(dir);
    const { result, logs } = await run(modules, dir);
    expect(result.status).toBe('success');
    expect(logs).toEqual(['hello required from greet.hello in t', 'hello global from greet.hello in t']);
    expect(loads.count).toBe(1);
  });

  it('named in a Lua file the workflow requires, is loaded before the run', async () => {
    const dir = writeFiles({
      'plugin.mjs': PLUGIN,
      'lib/helpers.lua': 'return { hi = function() return greet.hello("lib") end }\n',
      'w.sloth': 'local h = require("lib.helpers")\ntask("t"):command(function() log.info(h.hi()) end)',
    });
    const { modules, loads } = await lazyGreet(dir);
    const { result, logs } = await run(modules, dir);
    expect(result.status).toBe('success');
    expect(logs).toEqual(['hello lib from greet.hello in t']);
    expect(modules.at(-1)?.lazy).toBeUndefined();
    expect(loads.count).toBe(1);
  });

  it("that fails to load fails the task at the line that used it, with the loader's message", async () => {
    const dir = writeFiles({
      'w.sloth': 'task("t"):command(function()\n  local n = "gr" .. "eet"\n  return _G[n].hello("x")\nend)',
    });
    const broken: ModuleSpec = {
      name: 'greet',
      doc: '',
      functions: {},
      plugin: 'sloth-plugin-greet',
      lazy: {
        functions: ['hello'],
        load: async () => {
          throw new SlothError('load', "plugin 'sloth-plugin-greet' (/x): loading its modules file /x/m.js failed: boom");
        },
      },
    };
    const { result } = await run([...builtinModules, broken], dir);
    expect(result.tasks[0]?.status).toBe('failed');
    expect(result.tasks[0]?.error).toMatch(/\/w\.sloth:3: plugin 'sloth-plugin-greet' \(\/x\): loading its modules file/);
  });
});
