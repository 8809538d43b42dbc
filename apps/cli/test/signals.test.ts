import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { processAlive, waitFor, waitForPid } from '@sloth/core/testing';
import { describe, expect, it } from 'vitest';
import { collect, startCli, writeFiles } from './cli.test-helper.js';

describe('cancellation', () => {
  it('SIGINT stops running tasks, kills their processes, prints the summary and exits 130', async () => {
    const dir = writeFiles({});
    const file = join(dir, 'w.sloth');
    writeFileSync(
      file,
      `
        task("sleeper"):command("echo $$ > ${dir}/pid; exec sleep 30")
        task("lua_waiter"):command(function() exec.run("sleep 30") end)
        task("later"):depends_on("sleeper"):command("true")
        workflow.define("w", { tasks = { "sleeper", "lua_waiter", "later" } })`,
    );
    const child = startCli(['workflow', 'run', '-f', file]);
    const done = collect(child, 20_000);
    const pid = await waitForPid(join(dir, 'pid'), 'the sleeper task to start');
    expect(processAlive(pid)).toBe(true);
    child.kill('SIGINT');
    const r = await done;
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('SIGINT received: stopping running tasks');
    expect(r.stdout).toMatch(/sleeper\s+│\s+aborted/);
    expect(r.stdout).toMatch(/lua_waiter\s+│\s+aborted/);
    expect(r.stdout).toMatch(/later\s+│\s+skipped/);
    expect(r.stdout).toContain("workflow 'w' was interrupted");
    await waitFor(() => !processAlive(pid), 5_000, 'the sleep process to be killed');
  });

  it('SIGKILL of the CLI: the processes of its tasks and goroutines die with it', async () => {
    const dir = writeFiles({});
    const file = join(dir, 'w.sloth');
    const started = (name: string) => `echo $$ > ${dir}/${name}; exec sleep 300`;
    writeFileSync(
      file,
      `
        task("shell1"):command("${started('shell1')}")
        task("shell2"):command("${started('shell2')}")
        task("lua"):command(function() exec.run("${started('lua')}") end)
        task("go"):command(function()
          goroutine.await(goroutine.async(function() exec.run("${started('go')}") end))
        end)
        ${[1, 2, 3, 4].map((i) => `task("more${i}"):command("${started(`more${i}`)}")`).join('\n')}
        workflow.define("w", { tasks = { "shell1", "shell2", "lua", "go", "more1", "more2", "more3", "more4" } })`,
    );
    const child = startCli(['workflow', 'run', '-f', file]);
    const done = collect(child, 60_000);
    const pids: number[] = [];
    for (const name of ['shell1', 'shell2', 'lua', 'go', 'more1', 'more2', 'more3', 'more4']) {
      pids.push(await waitForPid(join(dir, name), `task ${name} to start its process`));
    }
    child.kill('SIGKILL');
    await done;
    await waitFor(() => pids.every((pid) => !processAlive(pid)), 10_000, 'every process of the killed run to die');
  });

  it('SIGTERM is handled like SIGINT', async () => {
    const dir = writeFiles({ 'w.sloth': 'task("s"):command(function() log.info("running") exec.run("sleep 30") end)' });
    const child = startCli(['workflow', 'run', '-f', join(dir, 'w.sloth')]);
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const done = collect(child, 20_000);
    await waitFor(() => out.includes('[s] running'), 10_000, 'the task to log');
    child.kill('SIGTERM');
    const r = await done;
    expect(r.code).toBe(130);
  });
});
