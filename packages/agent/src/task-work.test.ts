import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { create } from '@bufbuild/protobuf';
import { PreparedSandbox } from '@sloth/lua';
import { RunTaskSchema } from '@sloth/proto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WorkOutputInit } from './command-work.js';
import { LoadedRuns } from './loaded-runs.js';
import { SandboxReserve } from './sandbox-reserve.js';
import { runTaskWork } from './task-work.js';

let runs = new LoadedRuns();
afterEach(async () => {
  await runs.closeAll();
  runs = new LoadedRuns();
});

const WORKFLOW = `local h = require("lib.h")
task("build"):command(function(this, params, deps)
  log.warn(h.shout(this.agent.get()))
  return true, "ok", { on = this.agent.get(), env = params.env, sha = deps.fetch.sha, version = values.version }
end):build()
task("broken"):command(function()
  error("it broke")
end):build()
task("slow"):command(function() exec.run("sleep 20") end):build()
task("remember"):command(function() seen = (seen or 0) + 1 return true, "ok", { seen = seen } end):build()
`;

function runTask(task: string, overrides: Record<string, unknown> = {}) {
  return create(RunTaskSchema, {
    workId: 'w1',
    runId: 'r1',
    workflow: 'ci',
    task,
    entryFile: 'ci.sloth',
    files: { 'ci.sloth': WORKFLOW, 'lib/h.lua': 'return { shout = function(s) return s:upper() end }' },
    paramsJson: '{"env":"prod"}',
    valuesJson: '{"version":"1.2"}',
    depsJson: '{"fetch":{"sha":"abc"}}',
    ...overrides,
  });
}

describe('runTaskWork: a delegated task on the agent', () => {
  it("runs only the task's body with its files, params, values and deps; this.agent.get() names the agent", async () => {
    const logs: WorkOutputInit[] = [];
    const r = await runTaskWork(runTask('build'), 'web-01', {}, runs, new AbortController().signal, (o) => logs.push(o));
    expect(r).toMatchObject({ workId: 'w1', success: true, error: '' });
    expect(JSON.parse(r.outputJson as string)).toEqual({ on: 'web-01', env: 'prod', sha: 'abc', version: '1.2' });
    expect(logs).toContainEqual(expect.objectContaining({ level: 'warn', text: 'WEB-01', stream: 3 }));
  });

  it('reports a Lua error with the file and line as the workflow names them, not by the temp directory of the agent', async () => {
    const r = await runTaskWork(runTask('broken'), 'web-01', {}, runs, new AbortController().signal, () => {});
    expect(r.success).toBe(false);
    expect(r.error).toMatch(/^ci\.sloth:7: it broke/);
    expect(r.error).not.toContain(tmpdir());
  });

  it('refuses files outside its directory, bad JSON, and unknown tasks, with a result rather than a crash', async () => {
    const signal = new AbortController().signal;
    const outside = await runTaskWork(runTask('build', { files: { '../x.lua': '' } }), 'a', {}, runs, signal, () => {});
    expect(outside.error).toContain("refused the file path '../x.lua'");
    expect(existsSync('../x.lua')).toBe(false);
    const badJson = await runTaskWork(runTask('build', { paramsJson: '{' }), 'a', {}, runs, signal, () => {});
    expect(badJson.error).toMatch(/the task's params are not valid JSON/);
    const notObject = await runTaskWork(runTask('build', { depsJson: '[1]' }), 'a', {}, runs, signal, () => {});
    expect(notObject.error).toBe("the task's deps must be a JSON object");
    const unknown = await runTaskWork(runTask('biuld'), 'a', {}, runs, signal, () => {});
    expect(unknown.error).toBe("task 'biuld' is not declared in ci.sloth (did you mean 'build'?)");
  });

  it('loads the file once per run: tasks of a run share its Lua state, another run gets its own; closed after', async () => {
    const signal = new AbortController().signal;
    const seen = async (runId: string) =>
      JSON.parse((await runTaskWork(runTask('remember', { runId }), 'a', {}, runs, signal, () => {})).outputJson as string).seen;
    expect(await seen('r1')).toBe(1);
    expect(await seen('r1')).toBe(2);
    expect(await seen('r2')).toBe(1);
    expect(runs.size).toBe(2);
    await runs.closeAll();
    expect(runs.size).toBe(0);
    // A closed run loads again from scratch.
    expect(await seen('r1')).toBe(1);
  });

  it("loads a run into the sandbox made while idle: the run's own params and values, its file's errors, none twice", async () => {
    const reserve = new SandboxReserve<PreparedSandbox>(1);
    const signal = new AbortController().signal;
    const taken: (PreparedSandbox | undefined)[] = [];
    const make = vi.spyOn(PreparedSandbox, 'make');
    /** The agent goes idle: the reserve makes a sandbox (PreparedSandbox.make, as the first task told it). */
    const idle = async () => {
      const before = make.mock.results.length;
      reserve.idle();
      await vi.waitFor(() => expect(make.mock.results.length).toBe(before + 1), { timeout: 5000 });
      await make.mock.results[before]?.value;
    };
    const take = reserve.take.bind(reserve);
    reserve.take = async () => {
      const s = await take();
      taken.push(s);
      return s;
    };
    try {
      // The first task of an agent tells the reserve how to make one; nothing is ready yet.
      expect((await runTaskWork(runTask('build', { runId: 'a' }), 'w', {}, runs, signal, () => {}, reserve)).success).toBe(true);
      expect(taken).toEqual([undefined]);
      await idle();
      const r = await runTaskWork(
        runTask('build', { runId: 'b', paramsJson: '{"env":"staging"}', valuesJson: '{"version":"2"}' }),
        'w',
        {},
        runs,
        signal,
        () => {},
        reserve,
      );
      expect(taken[1]).toBeInstanceOf(PreparedSandbox);
      // It served this run (a sandbox is used once).
      await expect(taken[1]?.use({ fallbackCtx: () => ({}) as never })).rejects.toThrow('used twice');
      expect(JSON.parse(r.outputJson as string)).toEqual({ on: 'w', env: 'staging', sha: 'abc', version: '2' });
      // A file that fails to load in a prepared sandbox reports its own error (and the sandbox is freed, not reused).
      await idle();
      const broken = await runTaskWork(
        runTask('build', { runId: 'c', files: { 'ci.sloth': 'task("x"' } }),
        'w',
        {},
        runs,
        signal,
        () => {},
        reserve,
      );
      expect(broken.error).toMatch(/^ci\.sloth:1: /);
      expect(taken[2]).toBeInstanceOf(PreparedSandbox);
      expect(taken[2]).not.toBe(taken[1]);
    } finally {
      make.mockRestore();
      await reserve.close();
    }
  });

  it('stops the task when the master cancels it, and times out as it was told', async () => {
    const controller = new AbortController();
    const running = runTaskWork(runTask('slow'), 'a', {}, runs, controller.signal, () => {});
    setTimeout(() => controller.abort(), 300);
    const cancelled = await running;
    expect(cancelled.success).toBe(false);
    const timed = await runTaskWork(runTask('slow', { timeoutMs: 300 }), 'a', {}, runs, new AbortController().signal, () => {});
    expect(timed.error).toBe('timed out after 300ms');
  });
});
