import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSource } from './test-workflow.test-helper.js';

const byName = (result: { tasks: { name: string }[] }) => Object.fromEntries(result.tasks.map((t) => [t.name, t]));

// fs.write is a file resource: the tasks that use it say whether they changed anything.
const WORKFLOW = `
task("create"):command(function() fs.write("out/motd", "hello\\n") end)
task("same"):depends_on({ "create" }):command(function() fs.write("out/motd", "hello\\n") end)
task("other"):depends_on({ "same" }):command(function() fs.write("out/motd", "bye\\n") fs.write("out/motd", "bye\\n") end)
task("in_goroutine"):depends_on({ "other" }):command(function()
  local ok, err = goroutine.await(goroutine.async(function() fs.write("out/g", "from a goroutine") end))
  assert(ok, err)
end)
task("none"):command(function() exec.run("true") end)
`;

describe('TaskResult.changed', () => {
  it('is true when a resource of the task changed, false when all were in place, absent when it converged none', async () => {
    const { result, dir } = await runSource(WORKFLOW);
    const t = byName(result);
    expect(result.status).toBe('success');
    expect(t.create).toMatchObject({ changed: true });
    expect(t.same).toMatchObject({ changed: false });
    expect(t.other).toMatchObject({ changed: true });
    expect(t.in_goroutine).toMatchObject({ changed: true });
    expect(t.none).not.toHaveProperty('changed');
    expect(readFileSync(join(dir, 'out/motd'), 'utf8')).toBe('bye\n');
  });

  it('in check mode says what would change and writes nothing, in tasks and goroutines', async () => {
    const { result, dir } = await runSource(WORKFLOW, { run: { checkMode: true } });
    const t = byName(result);
    expect(result.status).toBe('success');
    expect(t.create).toMatchObject({ changed: true });
    expect(t.in_goroutine).toMatchObject({ changed: true });
    expect(() => readFileSync(join(dir, 'out/motd'))).toThrow(/ENOENT/);
    expect(() => readFileSync(join(dir, 'out/g'))).toThrow(/ENOENT/);
  });

  it('in check mode, a task run with Task:run() is in check mode too', async () => {
    const { result, dir } = await runSource(
      `local helper = task("helper"):command(function() fs.write("out/h", "x") end)
      task("caller"):command(function() local ok, err = helper:run() assert(ok, err) end)
      workflow.define("w", { tasks = { "caller" } })`,
      { run: { checkMode: true } },
    );
    expect(result.status).toBe('success');
    expect(() => readFileSync(join(dir, 'out/h'))).toThrow(/ENOENT/);
  });
});
