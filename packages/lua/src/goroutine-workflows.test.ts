import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtinModules } from '@sloth/builtin-modules';
import { type ModuleCallContext, type RunEvent, SlothError } from '@sloth/core';
import type { TaskDelegator } from '@sloth/core/internal';
import { processAlive, waitFor, writeFiles } from '@sloth/core/testing';
import { openStore, stateRepo, storeServices } from '@sloth/store-sqlite';
import { describe, expect, it } from 'vitest';
import { runSource } from './test-workflow.test-helper.js';
import { WorkflowFile } from './workflow-file.js';

// Real workflows with real worker threads (piscina), through WorkflowFile.run.
const byName = <T extends { name: string }>(result: { tasks: T[] }) => Object.fromEntries(result.tasks.map((t) => [t.name, t]));

/** This process's OS threads: worker threads show up here, and must be gone after a run. */
const osThreads = () => readdirSync('/proc/self/task').length;

describe('goroutines in workflows', () => {
  it('run functions in parallel with copies of their upvalues, results in order, logs under the task', async () => {
    const { result, logs } = await runSource(`
      task("fan_out"):command(function()
        local servers = { { name = "web-01" }, { name = "web-02" }, { name = "db-01" } }
        local counter = 0
        local handles = {}
        for i, server in ipairs(servers) do
          handles[i] = goroutine.async(function(suffix)
            counter = counter + 1          -- a copy: the task's counter does not change
            log.info("deploying " .. server.name)
            goroutine.sleep(50)
            return server.name .. suffix, i, counter
          end, "-ok")
        end
        local results = goroutine.await_all(handles)
        for i, r in ipairs(results) do
          assert(r.success and r.values[1] == servers[i].name .. "-ok" and r.values[2] == i and r.value == r.values[1], i)
          assert(r.values[3] == 1, "each goroutine sees its own copy of counter")
        end
        local ok, a, b = goroutine.await(handles[1])   -- awaiting again returns the same result
        assert(ok and a == "web-01-ok" and b == 1)
        return true, "done", { counter = counter }
      end)`);
    expect(byName(result).fan_out).toMatchObject({ status: 'success', output: { counter: 0 } });
    expect(logs).toEqual(
      expect.arrayContaining(['fan_out: deploying web-01', 'fan_out: deploying web-02', 'fan_out: deploying db-01']),
    );
  });

  it('report a failing goroutine as success = false with message and traceback; the task and workflow go on', async () => {
    const { result, logs } = await runSource(`
      task("t"):command(function()
        local h = goroutine.async(function()
          local function explode() error("boom") end
          explode()
        end)
        local ok, err = goroutine.await(h)
        log.info("await: " .. tostring(ok) .. " | " .. err)
        local r = goroutine.await_all({ h })[1]
        log.info("traceback: " .. r.traceback)
        local ok2, err2 = goroutine.await(goroutine.async(function() return helper_global() end))
        log.info("global: " .. err2)
        goroutine.spawn(function() error("spawned boom") end)
        goroutine.sleep(300)
        return true
      end)
      -- A global of the file: defined (so the file loads), but a goroutine runs in a state of its own.
      function helper_global() return 1 end`);
    expect(result.status).toBe('success');
    expect(logs).toContainEqual(expect.stringMatching(/^t: await: false \| \S*test\.sloth:4: boom$/));
    expect(logs.find((l) => l.startsWith('t: traceback:'))).toContain("test.sloth:4: in local 'explode'");
    expect(logs.find((l) => l.startsWith('t: global:'))).toContain(
      'globals of the workflow file are not visible inside a goroutine',
    );
    expect(logs).toContainEqual(expect.stringMatching(/^t: goroutine\.spawn: \S*test\.sloth:13: spawned boom\n/));
  });

  it('map keeps order and limits concurrency; a failed item raises naming it', async () => {
    const { result, logs } = await runSource(`
      task("ok"):command(function()
        local squares = goroutine.map({ 1, 2, 3, 4, 5 }, function(x, i) return x * x + i / 10 end, { concurrency = 2 })
        log.info(table.concat(squares, ","))
      end)
      task("bad"):command(function()
        goroutine.map({ 1, 2, 3 }, function(x) if x == 3 then error("three") end return x end)
      end)
      workflow.define("w", { tasks = { "ok", "bad" }, config = { fail_fast = false } })`);
    expect(logs).toContain('ok: 1.1,4.2,9.3,16.4,25.5');
    expect(byName(result).bad).toMatchObject({ status: 'failed' });
    expect((byName(result).bad as { error: string }).error).toMatch(
      /test\.sloth:7: goroutine\.map: item 3 failed: \S*test\.sloth:7: three/,
    );
  });

  it('pools limit concurrency and report stats; pool_wait collects; wait groups collect what they started', async () => {
    const { result, logs } = await runSource(`
      task("t"):command(function()
        goroutine.pool_create("workers", { workers = 2 })
        for i = 1, 6 do goroutine.pool_submit("workers", function() goroutine.sleep(100) return i end) end
        local s = goroutine.pool_stats("workers")
        log.info("stats " .. s.workers .. " " .. s.active .. " " .. s.queued)
        local results = goroutine.pool_wait("workers", "30s")
        local got = {}
        for i, r in ipairs(results) do got[i] = r.value end
        log.info("pool " .. table.concat(got, ","))
        s = goroutine.pool_stats("workers")
        log.info("after " .. s.completed .. " " .. s.failed .. " " .. s.active .. " " .. s.queued)
        local wg = goroutine.wait_group()
        wg:go(function(a) return a * 2 end, 21)
        wg:add(goroutine.async(function() return "added" end))
        local r = wg:wait(10)
        log.info("wg " .. r[1].value .. " " .. r[2].value)
        log.info("closed " .. goroutine.pool_close("workers"))
        local ok, err = pcall(goroutine.pool_submit, "workers", function() end)
        log.info("after close: " .. err)
        local ok2, v = goroutine.timeout(5000, function() return "in time" end)
        local ok3, e3 = goroutine.timeout(100, function() while true do end end)
        log.info("timeout " .. tostring(ok2) .. " " .. v .. " | " .. tostring(ok3) .. " " .. e3)
      end)`);
    expect(result.status).toBe('success');
    // 6 submitted to a 2-wide pool: 2 running, 4 waiting.
    expect(logs).toContain('t: stats 2 2 4');
    expect(logs).toContain('t: pool 1,2,3,4,5,6');
    expect(logs).toContain('t: after 6 0 0 0');
    expect(logs).toContain('t: wg 42 added');
    expect(logs).toContain('t: closed 0');
    expect(logs.find((l) => l.startsWith('t: after close:'))).toContain("no goroutine pool named 'workers'");
    expect(logs).toContain('t: timeout true in time | false timed out after 100ms');
  });

  it('a task timeout stops its goroutines, an infinite loop included, and the workflow ends', async () => {
    const { result, logs } = await runSource(`
      task("spin"):timeout("1s"):command(function()
        local h = goroutine.async(function() log.info("spinning") while true do end end)
        goroutine.spawn(function() exec.run("sleep 30") end)
        goroutine.await(h)
      end)
      task("next"):depends_on("spin"):command(function() end)
      workflow.define("w", { tasks = { "spin", "next" }, config = { fail_fast = false } })`);
    expect(byName(result).spin).toMatchObject({ status: 'timeout' });
    expect(logs).toContain('spin: spinning');
  });

  it("a looping goroutine of a task that times out is interrupted in place: other tasks' goroutines on its thread live", async () => {
    // The loop runs inside a C function (table.sort's comparator), where the thread cannot yield to its event loop: a
    // cancellation that needed a turn of that loop never arrived, so the thread was terminated with every goroutine on it.
    process.env.SLOTH_GOROUTINE_THREADS = '1';
    const run = runSource(`
      task("spin"):timeout("1s"):command(function()
        goroutine.await(goroutine.async(function()
          log.info("spinning")
          table.sort({ 3, 1, 2 }, function() while true do end end)
        end))
      end)
      task("innocent"):command(function()
        local handles = {}
        for i = 1, 8 do handles[i] = goroutine.async(function() goroutine.sleep(3000) return i end) end
        local got = {}
        for i, r in ipairs(goroutine.await_all(handles)) do got[i] = r.success and r.value or r.error end
        log.info("innocent " .. table.concat(got, ","))
      end)
      workflow.define("w", { tasks = { "spin", "innocent" }, config = { fail_fast = false } })`);
    const { result, logs } = await run.finally(() => {
      delete process.env.SLOTH_GOROUTINE_THREADS;
    });
    expect(byName(result).spin).toMatchObject({ status: 'timeout' });
    expect(logs).toContain('spin: spinning');
    expect(logs).toContain('innocent: innocent 1,2,3,4,5,6,7,8');
  });

  it('a goroutine stuck inside one C call (no Lua instruction to hook) is stopped by terminating its thread', async () => {
    // string.find with four '.-' backtracks for ~n^4 steps inside a single C function: the count hook never runs.
    // One thread: unless the stuck one is terminated and replaced, "after" has nowhere to run and the test hangs.
    process.env.SLOTH_GOROUTINE_THREADS = '1';
    const run = runSource(`
      task("stuck"):timeout("1s"):command(function()
        local h = goroutine.async(function()
          log.info("entering C")
          return string.find(string.rep("a", 20000), ".-.-.-.-b")
        end)
        goroutine.await(h)
      end)
      task("after"):command(function()
        local ok, v = goroutine.await(goroutine.async(function() return "threads still serve" end))
        log.info(tostring(ok) .. " " .. v)
      end)
      workflow.define("w", { tasks = { "stuck", "after" }, config = { fail_fast = false, max_parallel_tasks = 1 } })`);
    const { result, logs } = await run.finally(() => {
      delete process.env.SLOTH_GOROUTINE_THREADS;
    });
    expect(byName(result).stuck).toMatchObject({ status: 'timeout' });
    expect(logs).toEqual(expect.arrayContaining(['stuck: entering C', 'after: true threads still serve']));
  });

  it("a goroutine's command dies with the thread that is terminated under it", async () => {
    // The stuck goroutine forces its thread to be terminated; the sleeper's command was started from that thread.
    process.env.SLOTH_GOROUTINE_THREADS = '1';
    const dir = writeFiles({});
    const pidFile = join(dir, 'pid');
    // The thread is started by a task before: its start-up on a loaded machine is not the stuck task's second.
    const run = runSource(`
      task("warm"):command(function() assert(goroutine.await(goroutine.async(function() return 1 end))) end)
      task("stuck"):depends_on({ "warm" }):timeout("1s"):command(function()
        goroutine.spawn(function() exec.run("echo $$ > ${pidFile}; exec sleep 117") end)
        while not fs.exists("${pidFile}") do goroutine.sleep(10) end
        goroutine.await(goroutine.async(function() return string.find(string.rep("a", 20000), ".-.-.-.-b") end))
      end)`);
    const { result } = await run.finally(() => {
      delete process.env.SLOTH_GOROUTINE_THREADS;
    });
    expect(byName(result).stuck).toMatchObject({ status: 'timeout' });
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(pid).toBeGreaterThan(0);
    await waitFor(() => !processAlive(pid), 5_000, 'the command of the terminated thread to be killed');
  });

  it('an await timeout stops the goroutine and says so', async () => {
    const { result, logs } = await runSource(`
      task("t"):command(function()
        local ok, err = goroutine.await(goroutine.async(function() while true do end end), "300ms")
        log.info(tostring(ok) .. " " .. err)
        local r = goroutine.await_all({ goroutine.async(function() exec.run("sleep 30") end) }, 0.2)
        log.info(tostring(r[1].success) .. " " .. r[1].error)
      end)`);
    expect(result.status).toBe('success');
    expect(logs).toEqual(expect.arrayContaining(['t: false timed out after 300ms', 't: false timed out after 200ms']));
  });

  it('10,000 goroutines at once are queued on the threads, not crashed', async () => {
    const { result, logs } = await runSource(`
      task("many"):command(function()
        local handles = {}
        for i = 1, 10000 do handles[i] = goroutine.async(function() return i * 2 end) end
        local results = goroutine.await_all(handles)
        local sum = 0
        for _, r in ipairs(results) do assert(r.success, r.error) sum = sum + r.value end
        log.info("sum " .. sum .. " of " .. #results)
        local mapped = goroutine.map((function() local t = {} for i = 1, 2000 do t[i] = i end return t end)(), function(x) return x end)
        log.info("mapped " .. #mapped)
      end)`);
    expect(result.status).toBe('success');
    expect(logs).toContain(`many: sum ${10000 * 10001} of 10000`);
    expect(logs).toContain('many: mapped 2000');
  }, 120_000);

  it('refuses bad input with errors at the caller line', async () => {
    const { result } = await runSource(`
      local co = coroutine.create(function() end)
      task("not_fn"):command(function() goroutine.async(42) end)
      task("foreign"):command(function() goroutine.await({ id = 1 }) end)
      task("foreign_list"):command(function() goroutine.await_all({ goroutine.async(function() end), "x" }) end)
      task("coroutine"):command(function() goroutine.async(function() return co end) end)
      task("userdata"):command(function() local f = io.stdout goroutine.async(function() return f end) end)
      task("nested"):command(function()
        local ok, err = goroutine.await(goroutine.async(function() return goroutine.async(function() end) end))
        error(err, 0)
      end)
      task("bad_timeout"):command(function() goroutine.await(goroutine.async(function() end), {}) end)
      task("no_pool"):command(function() goroutine.pool_submit("nope", function() end) end)
      task("bad_pool"):command(function() goroutine.pool_create("p", { workers = 0 }) end)
      workflow.define("w", { tasks = { "not_fn", "foreign", "foreign_list", "coroutine", "userdata", "nested", "bad_timeout", "no_pool", "bad_pool" }, config = { fail_fast = false } })`);
    const t = byName(result) as Record<string, { status: string; error: string }>;
    expect(t.not_fn?.error).toContain('test.sloth:3: goroutine.async: argument #1 (fn): expected function, got number');
    expect(t.foreign?.error).toContain(
      'test.sloth:4: goroutine.await: argument #1 (handle): expected a handle returned by goroutine.async, got table',
    );
    expect(t.foreign_list?.error).toContain(
      'test.sloth:5: goroutine.await_all: item #2 of the list is not a goroutine handle (got string)',
    );
    expect(t.coroutine?.error).toContain(
      "test.sloth:6: goroutine.async: upvalue 'co' is a coroutine and cannot travel to a goroutine (only numbers, strings, booleans, tables, module tables and Lua functions can)",
    );
    expect(t.userdata?.error).toMatch(/test\.sloth:7: goroutine\.async: upvalue 'f' is userdata/);
    expect(t.nested?.error).toContain('goroutine.async is not available inside a goroutine');
    expect(t.bad_timeout?.error).toContain(
      'goroutine.await: timeout: expected seconds (a number >= 0) or a duration like "500ms"',
    );
    expect(t.no_pool?.error).toContain("test.sloth:13: goroutine.pool_submit: no goroutine pool named 'nope'");
    expect(t.bad_pool?.error).toContain('goroutine.pool_create: workers: expected a whole number from 1 to 10000, got 0');
    for (const task of Object.values(t)) expect(task.status).toBe('failed');
  });

  it('refuses goroutines at the top level of a file, and sleep works there', async () => {
    const dir = writeFiles({
      'top.sloth':
        'goroutine.sleep(1)\nlocal ok, err = pcall(goroutine.async, function() end)\nTOP = err\ntask("t"):command(function() log.info(TOP) end)',
    });
    const events: RunEvent[] = [];
    const file = await WorkflowFile.load({ file: join(dir, 'top.sloth'), modules: builtinModules });
    try {
      await file.run(file.findWorkflow(), { observer: (e) => events.push(e) });
    } finally {
      file.close();
    }
    const line = events.find((e) => e.type === 'task.log');
    expect(line && 'message' in line && line.message).toContain('goroutine.async can only be used inside a task');
  });

  it('goroutines share the run state store: state.increment is atomic across them', async () => {
    const dir = writeFiles({
      'w.sloth': `task("count"):command(function()
        local handles = {}
        for i = 1, 8 do handles[i] = goroutine.async(function() for _ = 1, 25 do state.increment("hits") end end) end
        for _, r in ipairs(goroutine.await_all(handles)) do assert(r.success, r.error) end
      end)`,
    });
    const store = openStore(join(dir, 'data'));
    const file = await WorkflowFile.load({
      file: join(dir, 'w.sloth'),
      modules: builtinModules,
      services: storeServices(() => store, store.dataDir),
    });
    try {
      const result = await file.run(file.findWorkflow());
      expect(result.status).toBe('success');
      expect(stateRepo(store).get('hits')).toBe(200);
    } finally {
      file.close();
      store.close();
    }
  });

  it('calls with a target inside a goroutine are made by the task thread: value, log and error hint come back; a stopped goroutine stops its call (scripted master)', async () => {
    const dir = writeFiles({
      'w.sloth': `task("t"):command(function()
        local h = goroutine.async(function() return file_ops.file({ path = "/srv/a", state = "directory", target = "web-1" }).path end)
        local ok, out = goroutine.await(h)
        assert(ok, out)
        log.info("got " .. out)
        local ok2, err = goroutine.await(goroutine.async(function() return file_ops.file({ path = "/b", target = "gone" }) end))
        log.info("missing: " .. tostring(ok2) .. " " .. err)
        local ok3, late = goroutine.timeout(300, function() return file_ops.file({ path = "/c", target = "slow" }) end)
        log.info("slow: " .. tostring(ok3) .. " " .. late)
      end)`,
    });
    const calls: unknown[][] = [];
    let slowStopped: (reason: unknown) => void = () => {};
    const stopped = new Promise((resolve) => {
      slowStopped = resolve;
    });
    const delegate = {
      runTasks: () => Promise.reject(new Error('not used')),
      runCall: async (request: { agent: string; module: string; fn: string; args: unknown[]; ctx: ModuleCallContext }) => {
        calls.push([request.agent, `${request.module}.${request.fn}`, request.args, request.ctx.task]);
        if (request.agent === 'gone') {
          throw new SlothError('not_found', `${request.ctx.fn}: no agent named 'gone'`, { hint: 'agent list shows them' });
        }
        if (request.agent === 'slow') {
          await new Promise((resolve) => request.ctx.signal.addEventListener('abort', resolve, { once: true }));
          slowStopped(request.ctx.signal.reason);
          throw new SlothError('aborted', 'stopped');
        }
        request.ctx.log.log('info', `running on ${request.agent}`);
        return { value: { changed: true, path: `${request.agent}:/srv/a` } };
      },
    };
    const file = await WorkflowFile.load({
      file: join(dir, 'w.sloth'),
      modules: builtinModules,
      services: { delegate: delegate as unknown as TaskDelegator },
    });
    const events: RunEvent[] = [];
    try {
      const result = await file.run(file.findWorkflow(), { observer: (e) => events.push(e) });
      expect(result.status, JSON.stringify(result.tasks)).toBe('success');
    } finally {
      file.close();
    }
    const logs = events.flatMap((e) => (e.type === 'task.log' ? [e.message] : []));
    expect(logs).toEqual(
      expect.arrayContaining([
        'running on web-1',
        'got web-1:/srv/a',
        "missing: false file_ops.file: no agent named 'gone' (agent list shows them)",
        expect.stringMatching(/^slow: false timed out after/),
      ]),
    );
    expect(calls).toEqual([
      ['web-1', 'file_ops.file', [{ path: '/srv/a', state: 'directory' }], 't'],
      ['gone', 'file_ops.file', [{ path: '/b' }], 't'],
      ['slow', 'file_ops.file', [{ path: '/c' }], 't'],
    ]);
    expect(await stopped).toBeDefined();
  });

  it('leaves no worker threads behind when the run ends', async () => {
    const dir = writeFiles({
      'w.sloth': `task("t"):command(function()
        local hs = {}
        for i = 1, 4 do hs[i] = goroutine.async(function() goroutine.sleep(100) return i end) end
        goroutine.await_all(hs)
        log.info("measure")
      end)`,
    });
    const file = await WorkflowFile.load({ file: join(dir, 'w.sloth'), modules: builtinModules });
    const before = osThreads();
    let during = 0;
    try {
      const result = await file.run(file.findWorkflow(), {
        observer: (e) => {
          if (e.type === 'task.log' && e.message === 'measure') during = osThreads();
        },
      });
      expect(result.status).toBe('success');
    } finally {
      file.close();
    }
    expect(during).toBeGreaterThan(before);
    await waitFor(() => osThreads() <= before, 5000, 'the worker threads to end');
  });
});
