import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadError, runSource } from './test-workflow.test-helper.js';

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

describe('handlers, check_mode and on_complete results in Lua', () => {
  const summaryDir = () => mkdtempSync(join(tmpdir(), 'sloth-summary-'));
  const HANDLERS = `
local restart = task("restart"):handler():command(function() fs.append("out/restarts", "x") end):build()
task({ name = "reload", handler = true, command = function() fs.append("out/reloads", "x") end })
task("conf"):notify({ restart, "reload" }):command(function(this)
  fs.write("out/app.conf", "port = 0o17\\n")
  if this.check_mode ~= check_mode then error("this.check_mode and check_mode disagree") end
end)
task("cmd"):command("touch out/touched")
task("report"):depends_on({ "cmd" }):command(function() return true, "ok", { mode = 0o644 } end)
workflow.define("w", {
  tasks = { "conf", "cmd", "report", "restart", "reload" },
  on_complete = function(success, results)
    fs.write(params.out .. "/summary", tostring(results.conf.changed) .. " " .. tostring(results.restart.skip_reason))
  end,
})
`;

  it('notified handlers run once after the tasks; on_complete sees each task changed; 0o literals are numbers', async () => {
    const outDir = summaryDir();
    const { result, dir } = await runSource(HANDLERS, { extra: { 'out/.keep': '' }, params: { out: outDir } });
    const t = byName(result);
    expect(result.tasks.filter((r) => r.error)).toEqual([]);
    expect(result.status).toBe('success');
    expect(t.restart).toMatchObject({ status: 'success' });
    expect(t.report).toMatchObject({ status: 'success', output: { mode: 420 } });
    expect(readFileSync(join(dir, 'out/restarts'), 'utf8')).toBe('x');
    expect(readFileSync(join(dir, 'out/reloads'), 'utf8')).toBe('x');
    expect(readFileSync(join(dir, 'out/app.conf'), 'utf8')).toBe('port = 0o17\n');
    expect(readFileSync(join(outDir, 'summary'), 'utf8')).toBe('true nil');
  });

  it('in check mode: shell commands are skipped (their dependents still run), handlers would run, this.check_mode is true', async () => {
    const outDir = summaryDir();
    const { result, dir } = await runSource(HANDLERS, {
      extra: { 'out/.keep': '' },
      params: { out: outDir },
      run: { checkMode: true },
    });
    const t = byName(result);
    expect(result.status).toBe('success');
    expect(t.cmd).toMatchObject({ status: 'skipped', skipReason: 'check_mode', message: 'skipped (check mode)' });
    expect(t.report).toMatchObject({ status: 'success' });
    expect(t.restart).toMatchObject({ status: 'skipped', skipReason: 'check_mode' });
    expect(t.conf).toMatchObject({ status: 'success', changed: true });
    expect(() => readFileSync(join(dir, 'out/touched'))).toThrow(/ENOENT/);
    expect(() => readFileSync(join(dir, 'out/restarts'))).toThrow(/ENOENT/);
    // on_complete, outside any task, is in check mode too.
    expect(() => readFileSync(join(outDir, 'summary'))).toThrow(/ENOENT/);
  });

  it('an unknown handler name is a load error before anything runs, with a did-you-mean', async () => {
    const err = (await runSource(`
task("restart"):handler():command(function() end)
task("conf"):notify("restrat"):command(function() end)
`).catch((e: unknown) => e)) as Error & { code?: string; location?: string };
    expect(err.code).toBe('load');
    expect(err.location).toMatch(/test\.sloth:3$/);
    expect(err.message).toContain(
      "task 'conf' notifies 'restrat', which is not a handler of workflow 'test' (did you mean 'restart'?)",
    );
    const bad = await loadError(`task("conf"):notify(3):command(function() end)`);
    expect(bad.message).toContain('notify expects a handler name or a list of names or tasks, got');
  });
});
