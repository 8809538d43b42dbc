import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSource } from './test-workflow.test-helper.js';

// A module's error reaches Lua as a string at the caller's line (so Lua code that catches it keeps working), and
// comes back to the engine with its code, hint and location; the task's own errors are task_failed.
describe('error codes across Lua', () => {
  it('keeps the code, hint and location of a module argument error; the text is as before', async () => {
    const { result, dir } = await runSource('task("a"):command(function()\n  exec.run(42)\nend)');
    const t = result.tasks[0];
    const where = `${join(dir, 'test.sloth')}:2`;
    expect(t).toMatchObject({ status: 'failed', errorCode: 'invalid_argument', errorLocation: where });
    expect(t?.errorHint).toMatch(/^usage: exec\.run\(/);
    expect(t?.error?.startsWith(`${where}: `)).toBe(true);
    expect(t?.error).toMatch(/test\.sloth:2: exec\.run: argument #1 \(cmd\): expected .*got number \(usage: exec\.run\(/);
  });

  it('keeps the code of an error an async module function raised after awaiting', async () => {
    const { result, dir } = await runSource('task("a"):command(function()\n\n  fs.read("no-such-file.txt")\nend)');
    expect(result.tasks[0]).toMatchObject({
      status: 'failed',
      errorCode: 'not_found',
      errorLocation: `${join(dir, 'test.sloth')}:3`,
    });
    expect(result.tasks[0]?.error).toMatch(/test\.sloth:3: fs\.read: no such file or directory/);
  });

  it("gives the task's own error() task_failed, with where it was raised", async () => {
    const { result, dir } = await runSource('task("a"):command(function()\n  error("boom")\nend)');
    expect(result.tasks[0]).toMatchObject({
      status: 'failed',
      errorCode: 'task_failed',
      errorLocation: `${join(dir, 'test.sloth')}:2`,
    });
    expect(result.tasks[0]?.errorHint).toBeUndefined();
  });

  it('a module error caught by pcall leaves no code behind; raised again as it is, it keeps its code', async () => {
    const { result } = await runSource(`
      task("caught"):command(function()
        local ok, e = pcall(exec.run, 42)
        assert(not ok and type(e) == "string")
        error("gave up: " .. e)
      end)
      task("rethrown"):command(function()
        local ok, e = pcall(exec.run, 42)
        error(e, 0)
      end)
      task("returned"):command(function()
        local ok, e = pcall(exec.run, 42)
        return false, e
      end)`);
    const byName = Object.fromEntries(result.tasks.map((t) => [t.name, t]));
    expect(byName.caught).toMatchObject({ status: 'failed', errorCode: 'task_failed' });
    expect(byName.caught?.error).toMatch(/gave up: .*exec\.run: argument #1/);
    expect(byName.rethrown).toMatchObject({ status: 'failed', errorCode: 'invalid_argument' });
    expect(byName.returned).toMatchObject({ status: 'failed', errorCode: 'task_failed' });
  });

  it('does not retry what cannot succeed, and still retries an ordinary failure', async () => {
    const { result, events } = await runSource(`
      task("bad_arg"):retries(3, "fixed", "10ms"):command(function() fs.write({}, "x") end)
      task("flaky"):retries(2, "fixed", "10ms"):command(function() error("try again") end)
      workflow.define("w", { tasks = { "bad_arg", "flaky" }, config = { fail_fast = false } })`);
    const byName = Object.fromEntries(result.tasks.map((t) => [t.name, t]));
    const started = (task: string) => events.filter((e) => e.type === 'task.started' && e.task === task).length;
    expect(byName.bad_arg).toMatchObject({ status: 'failed', attempts: 1, errorCode: 'invalid_argument' });
    expect(started('bad_arg')).toBe(1);
    expect(byName.flaky).toMatchObject({ status: 'failed', attempts: 3, errorCode: 'task_failed' });
    expect(started('flaky')).toBe(3);
    const retrying = events.filter((e) => e.type === 'task.retrying');
    expect(retrying.map((e) => e.type === 'task.retrying' && [e.task, e.errorCode])).toEqual([
      ['flaky', 'task_failed'],
      ['flaky', 'task_failed'],
    ]);
  });
});
