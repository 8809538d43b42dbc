import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinModules } from '@sloth/builtin-modules';
import { describe, expect, it } from 'vitest';
import { hookSource } from './events.test-helper.js';
import { readHookFile } from './hook-file.js';

function file(source: string, name = 'hook.lua'): string {
  const path = join(mkdtempSync(join(tmpdir(), 'sloth-hookfile-')), name);
  writeFileSync(path, source);
  return path;
}

describe('readHookFile', () => {
  it("reads the README's format: name, event_type, stack, execute", async () => {
    const path = file(hookSource('notify', 'task.failed', 'return true, "sent"', ', stack = "production"'));
    const def = await readHookFile(path, builtinModules);
    expect(def).toMatchObject({
      name: 'notify',
      eventType: 'task.failed',
      stack: 'production',
      timeoutMs: 30_000,
      maxAttempts: 3,
      path,
    });
    expect(def.source).toContain('function hook.execute(event)');
  });

  it('optional timeout and max_attempts in the file; flags override the file', async () => {
    const path = file(hookSource('n', 'task.*', 'return true', ', timeout = "5s", max_attempts = 5'));
    expect(await readHookFile(path, builtinModules)).toMatchObject({ timeoutMs: 5000, maxAttempts: 5 });
    expect(
      await readHookFile(path, builtinModules, { name: 'other', eventType: '*', stack: 'dev', timeout: '1m', maxAttempts: 1 }),
    ).toMatchObject({ name: 'other', eventType: '*', stack: 'dev', timeoutMs: 60_000, maxAttempts: 1 });
  });

  it('a syntax error names the file and line', async () => {
    const path = file('local hook = {\n  name = "x",\n  event_type = "task.failed"\n  oops\n}\nreturn hook\n', 'broken.lua');
    await expect(readHookFile(path, builtinModules)).rejects.toThrow(/broken\.lua:4: /);
  });

  it('a runtime error at the top level names the file and line', async () => {
    const path = file('local x = nil\nlocal y = x.field\nreturn {}\n', 'boom.lua');
    await expect(readHookFile(path, builtinModules)).rejects.toThrow(/boom\.lua:2: attempt to index/);
  });

  it('refuses a missing execute, name or event_type, and a file that returns no table', async () => {
    await expect(readHookFile(file('return { name = "x", event_type = "a.b" }'), builtinModules)).rejects.toThrow(
      /has no execute function \(hook.execute is nil\)/,
    );
    await expect(
      readHookFile(file('local h = { event_type = "a.b" } function h.execute() end return h'), builtinModules),
    ).rejects.toThrow(/the hook has no name/);
    await expect(
      readHookFile(file('local h = { name = "x" } function h.execute() end return h'), builtinModules),
    ).rejects.toThrow(/the hook has no event_type/);
    await expect(readHookFile(file('local h = {}'), builtinModules)).rejects.toThrow(
      /must return the hook table, but it returned nothing/,
    );
    await expect(
      readHookFile(file('local h = { name = 1, event_type = "a.b" } function h.execute() end return h'), builtinModules),
    ).rejects.toThrow(/hook.name must be a string, not a number/);
  });

  it('refuses a bad event type pattern, name, timeout or max_attempts', async () => {
    await expect(readHookFile(file(hookSource('x', 'Task Failed', 'return true')), builtinModules)).rejects.toThrow(
      /invalid event type pattern 'Task Failed'/,
    );
    await expect(readHookFile(file(hookSource('has space', 'a.b', 'return true')), builtinModules)).rejects.toThrow(
      /invalid hook name 'has space'/,
    );
    await expect(readHookFile(file(hookSource('x', 'a.b', 'return true', ', timeout = "soon"')), builtinModules)).rejects.toThrow(
      /hook timeout/,
    );
    await expect(readHookFile(file(hookSource('x', 'a.b', 'return true', ', max_attempts = 0')), builtinModules)).rejects.toThrow(
      /max_attempts must be a whole number from 1 to 100/,
    );
  });

  it('a missing file is not_found', async () => {
    await expect(readHookFile('/nonexistent/hook.lua', builtinModules)).rejects.toThrow(
      /hook file '\/nonexistent\/hook.lua' not found/,
    );
  });

  it('a top level that never ends is stopped', { timeout: 30_000 }, async () => {
    await expect(readHookFile(file('while true do end'), builtinModules)).rejects.toThrow(/did not finish within 10s/);
  });
});
