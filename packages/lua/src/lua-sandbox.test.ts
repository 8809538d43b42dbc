import { join } from 'node:path';
import { builtinModules } from '@sloth/builtin-modules';
import { writeFiles } from '@sloth/core/testing';
import { describe, expect, it } from 'vitest';
import { PreparedSandbox } from './lua-sandbox.js';
import { WorkflowFile } from './workflow-file.js';

const SOURCE = `
local helpers = require("helpers")
task("show"):command(function()
  local ok, err = pcall(function() params.env = "changed" end)
  return true, "ok", { env = params.env, version = values.version, greet = helpers.greet("x"), readonly = not ok and err:find("read-only", 1, true) ~= nil }
end):build()
`;

async function loadWith(sandbox: PreparedSandbox | undefined, params: Record<string, unknown>, version: string) {
  const dir = writeFiles({ 'w.sloth': SOURCE, 'helpers.lua': 'return { greet = function(n) return "hi " .. n end }' });
  return WorkflowFile.load({
    file: join(dir, 'w.sloth'),
    modules: builtinModules,
    params,
    values: { version },
    sandbox,
  });
}

async function output(file: WorkflowFile, params: Record<string, unknown>) {
  const r = await file.runDelegatedTask({
    task: 'show',
    runId: 'r',
    params,
    deps: {},
    agent: 'a',
    timeoutMs: undefined,
    signal: new AbortController().signal,
    baseDir: process.cwd(),
    observer: () => {},
  });
  return r.output;
}

describe('PreparedSandbox: a sandbox made before its file is known', () => {
  it('serves a file it is given later exactly as a new one does: its params (read-only), values and Lua files', async () => {
    const made = await PreparedSandbox.make(builtinModules);
    const early = await loadWith(made, { env: 'prod' }, '1.2');
    const fresh = await loadWith(undefined, { env: 'prod' }, '1.2');
    try {
      const expected = { env: 'prod', version: '1.2', greet: 'hi x', readonly: true };
      expect(await output(early, { env: 'prod' })).toEqual(expected);
      expect(await output(fresh, { env: 'prod' })).toEqual(expected);
    } finally {
      early.close();
      fresh.close();
    }
  });

  it('holds nothing of the file it served: the next prepared sandbox sees only its own params and values', async () => {
    const first = await loadWith(await PreparedSandbox.make(builtinModules), { env: 'prod' }, '1');
    const second = await loadWith(await PreparedSandbox.make(builtinModules), { env: 'staging' }, '2');
    try {
      expect(await output(second, { env: 'staging' })).toMatchObject({ env: 'staging', version: '2' });
      expect(await output(first, { env: 'prod' })).toMatchObject({ env: 'prod', version: '1' });
    } finally {
      first.close();
      second.close();
    }
  });

  it('is used once, and only by a file with the modules it was made with', async () => {
    const made = await PreparedSandbox.make(builtinModules);
    const file = await loadWith(made, {}, '1');
    try {
      await expect(made.use({ fallbackCtx: () => ({}) as never })).rejects.toThrow('a prepared Lua sandbox was used twice');
      const other = await PreparedSandbox.make(builtinModules.slice(1));
      await expect(loadWith(other, {}, '1')).rejects.toThrow('a prepared Lua sandbox has other modules');
      other.close();
    } finally {
      file.close();
    }
  });
});
