import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { builtinModules } from '@sloth/builtin-modules';
import type { ModuleSpec, RunEvent } from '@sloth/core';
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
