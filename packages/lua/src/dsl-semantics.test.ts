import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSource, runSource } from './test-workflow.test-helper.js';

const statusOf = (result: { tasks: { name: string; status: string }[] }) =>
  Object.fromEntries(result.tasks.map((t) => [t.name, t.status]));

describe('the workflow language', () => {
  it('binds task arguments by parameter name', async () => {
    const { result, logs } = await runSource(
      `
      local a = task("a"):command(function() return true, "ok", { v = 1 } end)
      local b = task("b"):depends_on("a"):command(function(params, deps) log.info("b " .. params.env .. " " .. deps.a.v) end)
      local c = task("c"):depends_on({a}):command(function(deps) log.info("c " .. deps.a.v) end)
      local d = task("d"):command(function(this, params) log.info("d " .. this.name() .. " " .. this:name() .. " " .. params.env) end)
      local e = task("e"):depends_on("a"):command(function(x, y, z) log.info("e " .. x.name() .. " " .. y.env .. " " .. z.a.v) end)
      workflow.define("w", { tasks = { a, b, c, d, e } })`,
      { params: { env: 'prod' } },
    );
    expect(result.status).toBe('success');
    expect(logs).toEqual(expect.arrayContaining(['b: b prod 1', 'c: c 1', 'd: d d d prod', 'e: e e prod 1']));
  });

  it('reports a failing task with a traceback through the user file', async () => {
    const { result } = await runSource(`
      local function inner() error("boom") end
      local function outer() inner() end
      task("t"):command(function() outer() end)`);
    const error = result.tasks[0]?.error ?? '';
    expect(error).toContain('test.sloth:2: boom');
    expect(error).toMatch(/test\.sloth:2: in .*inner/);
    expect(error).toMatch(/test\.sloth:3: in .*outer/);
    expect(error).not.toContain('sloth:prelude');
  });

  it('honours every return convention', async () => {
    const { result } = await runSource(`
      task("nothing"):command(function() end)
      task("true_only"):command(function() return true end)
      task("with_outputs"):command(function() return true, "msg", { k = "v" } end)
      task("false_msg"):command(function() return false, "it broke" end)
      task("result_table"):command(function() return exec.run("echo hi") end)
      task("failed_result"):command(function() return exec.run("echo oops >&2; exit 3") end)
      task("raises"):command(function() error("boom") end)
      task("raises_table"):command(function() error({ code = 42, reason = "bad" }) end)
      workflow.define("w", { tasks = { "nothing", "true_only", "with_outputs", "false_msg", "result_table", "failed_result", "raises", "raises_table" }, config = { fail_fast = false } })`);
    const byName = Object.fromEntries(result.tasks.map((t) => [t.name, t]));
    expect(statusOf(result)).toEqual({
      nothing: 'success',
      true_only: 'success',
      with_outputs: 'success',
      false_msg: 'failed',
      result_table: 'success',
      failed_result: 'failed',
      raises: 'failed',
      raises_table: 'failed',
    });
    expect(byName.with_outputs?.output).toEqual({ k: 'v' });
    expect(byName.with_outputs?.message).toBe('msg');
    expect(byName.false_msg?.error).toBe('it broke');
    expect(byName.result_table?.output).toMatchObject({ success: true, exit_code: 0, stdout: 'hi\n' });
    expect(byName.failed_result?.error).toContain('oops');
    expect(byName.raises?.error).toMatch(/test\.sloth:\d+: boom/);
    expect(byName.raises_table?.error).toContain('error table {code=42, reason=bad}');
  });

  it('accepts the table form and the three workflow forms', async () => {
    const source = `
      local t = task({ name = "t1", run = function() return true, "", { n = 1 } end, timeout = "5s", retries = 1, retry_strategy = "fixed" })
      workflow.define("a", { tasks = { t } })
      workflow.define("b"):description("chained"):version("2.0"):tasks({ t }):config({ max_parallel_tasks = 1 })
      workflow("c"):task("first", function() return true, "", { x = 1 } end):task("second", function(deps) return deps.first.x == 1 end)`;
    const { file } = await loadSource(source);
    try {
      expect(file.workflows.map((w) => w.name)).toEqual(['a', 'b', 'c']);
      const b = file.findWorkflow('b');
      expect(b.description).toBe('chained');
      expect(b.version).toBe('2.0');
      expect(b.config.maxParallelTasks).toBe(1);
      const t1 = b.tasks[0];
      expect(t1?.timeoutMs).toBe(5000);
      expect(t1?.retry).toMatchObject({ retries: 1, strategy: 'fixed' });
      const c = file.findWorkflow('c');
      expect(c.tasks.map((t) => [t.name, t.dependsOn])).toEqual([
        ['first', []],
        ['second', ['first']],
      ]);
      const run = await file.run(c);
      expect(run.status).toBe('success');
    } finally {
      file.close();
    }
  });

  it('runs a file without a workflow as one workflow of all its tasks', async () => {
    const { file } = await loadSource('task("a"):command("true"):build()\ntask("b"):command("true"):build()');
    try {
      expect(file.implicit).toBe(true);
      expect(file.findWorkflow('anything').tasks.map((t) => t.name)).toEqual(['a', 'b']);
    } finally {
      file.close();
    }
  });

  it('gives module argument errors with the function, argument, types and the caller line', async () => {
    const { result } = await runSource('task("a"):command(function()\n  exec.run(42)\nend)');
    expect(result.tasks[0]?.error).toMatch(/test\.sloth:2: exec\.run: argument #1 \(cmd\): expected/);
    expect(result.tasks[0]?.error).toContain('got number');
  });

  it('stops an infinite Lua loop at its timeout and keeps the engine usable', async () => {
    const { result } = await runSource(`
      task("spin"):timeout("300ms"):command(function() while true do end end)
      task("pspin"):timeout("300ms"):command(function() while true do pcall(function() local x = 0 while true do x = x + 1 end end) end end)
      task("after"):depends_on({"spin"}):command(function() return true end)
      task("other"):command(function() return true end)
      workflow.define("w", { tasks = { "spin", "pspin", "after", "other" }, config = { fail_fast = false } })`);
    expect(statusOf(result)).toEqual({ spin: 'timeout', pspin: 'timeout', after: 'skipped', other: 'success' });
  });

  it('interleaves parallel tasks that await module calls', async () => {
    const { result, logs } = await runSource(`
      task("a"):command(function() exec.run("sleep 0.2") log.info("a done") end)
      task("b"):command(function() log.info("b done") end)
      workflow.define("w", { tasks = { "a", "b" } })`);
    expect(result.status).toBe('success');
    expect(logs.indexOf('b: b done')).toBeLessThan(logs.indexOf('a: a done'));
  });

  it('runs a task immediately with Task:run from inside another task', async () => {
    const { result, logs } = await runSource(`
      local child = task("child"):command(function(params) return true, "ok", { got = params.n * 2 } end):build()
      task("parent"):command(function()
        local ok, out = child:run({ n = 21 })
        log.info("child " .. tostring(ok) .. " " .. out.got)
        local sub = task("sub_" .. 1):command(function() return false, "nope" end):build()
        local ok2, err = sub:run()
        log.info("sub " .. tostring(ok2) .. " " .. err)
      end)
      workflow.define("w", { tasks = { "parent" } })`);
    expect(result.status).toBe('success');
    expect(logs).toEqual(expect.arrayContaining(['parent: child true 42', 'parent: sub false nope']));
  });

  it('exposes values, read-only params, this.workdir and print', async () => {
    const { result, logs, dir } = await runSource(
      `
      local wd = "/tmp/sloth-lua-test-workdir"
      task("a"):workdir(wd .. "/work"):command(function(this, params)
        print("region", values.cloud.region, "env", params.env)
        local ok = pcall(function() params.env = "x" end)
        log.info("params writable: " .. tostring(ok))
        log.info("exists: " .. tostring(this.workdir.exists()))
        fs.write(this.workdir.get() .. "/f.txt", "x")
        this.workdir:cleanup()
        log.info("after cleanup: " .. tostring(this.workdir.exists()))
      end)
      task("b"):command(function(this) local ok, err = pcall(this.workdir.cleanup) log.info("cleanup refused: " .. tostring(not ok)) end)
      workflow.define("w", { tasks = { "a", "b" } })`,
      { params: { env: 'prod' }, values: { cloud: { region: 'eu-west-1' } } },
    );
    expect(result.status).toBe('success');
    expect(logs).toEqual(
      expect.arrayContaining([
        'a: region\teu-west-1\tenv\tprod',
        'a: params writable: false',
        'a: exists: true',
        'a: after cleanup: false',
        'b: cleanup refused: true',
      ]),
    );
    expect(existsSync(join(dir, 'test.sloth'))).toBe(true);
  });

  it('requires built-in modules by name and Lua files next to the workflow', async () => {
    const { result, logs } = await runSource(
      `
      local helpers = require("helpers")
      local nested = require("lib.nested")
      local j = require("json")
      task("a"):command(function() log.info(helpers.greet("x") .. " " .. nested.n .. " " .. j.encode({ 1, 2 })) end)
      task("b"):command(function() require("no_such_module") end)
      workflow.define("w", { tasks = { "a", "b" }, config = { fail_fast = false } })`,
      {
        extra: {
          'helpers.lua': 'return { greet = function(n) return "hi " .. n end }',
          'lib/nested.lua': 'return { n = 7 }',
        },
      },
    );
    expect(logs).toContain('a: hi x 7 [1,2]');
    expect(result.tasks[1]?.error).toContain("module 'no_such_module' not found");
  });

  it('on_success, on_failure and on_complete receive what they are documented to', async () => {
    const { logs } = await runSource(`
      task("ok"):command(function() return true, "m", { message = "hello" } end)
        :on_success(function(params, output) log.info("success hook " .. output.message) end)
      task("bad"):command(function() return false, "went wrong" end)
        :on_failure(function(params, error) log.info("failure hook " .. error) end)
      workflow.define("w", { tasks = { "ok", "bad" }, config = { fail_fast = false },
        on_complete = function(success, results) log.info("complete " .. tostring(success) .. " " .. results.bad.status .. " " .. results.ok.attempts) end })`);
    expect(logs).toEqual(expect.arrayContaining(['ok: success hook hello', 'bad: failure hook went wrong']));
    expect(logs.some((l) => l.endsWith('complete false failed 1'))).toBe(true);
  });

  it('runs run_if and abort_if written as functions or shell strings', async () => {
    const { result } = await runSource(`
      task("cond_fn"):run_if(function(params) return params.go == true end):command("true")
      task("cond_sh"):run_if("test 1 = 2"):command("true")
      task("runs"):run_if("true"):command("true")
      workflow.define("w", { tasks = { "cond_fn", "cond_sh", "runs" } })`);
    expect(statusOf(result)).toEqual({ cond_fn: 'skipped', cond_sh: 'skipped', runs: 'success' });
  });
});
