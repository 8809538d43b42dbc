import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { processAlive, waitFor } from '@sloth/core/testing';
import { describe, expect, it } from 'vitest';
import { collect, runCli, startCli, writeFiles } from './cli.test-helper.js';

const readPid = (file: string) => {
  try {
    return Number(readFileSync(file, 'utf8'));
  } catch {
    return 0;
  }
};

describe('goroutines from the CLI', () => {
  it('SIGINT stops goroutines (their processes and Lua loops), prints the summary and exits 130', async () => {
    const dir = writeFiles({});
    writeFileSync(
      join(dir, 'w.sloth'),
      `task("fan_out"):command(function()
        local spin = goroutine.async(function() while true do end end)
        local sleeper = goroutine.async(function() exec.run("echo $$ > ${dir}/pid; exec sleep 30") end)
        goroutine.spawn(function() exec.run("sleep 30") end)
        goroutine.await_all({ spin, sleeper })
      end)`,
    );
    const child = startCli(['workflow', 'run', '-f', join(dir, 'w.sloth')]);
    const done = collect(child, 20_000);
    await waitFor(() => readPid(join(dir, 'pid')) > 0, 15_000, 'the goroutine to start its process');
    const pid = readPid(join(dir, 'pid'));
    expect(processAlive(pid)).toBe(true);
    child.kill('SIGINT');
    const r = await done;
    expect(r.code).toBe(130);
    expect(r.stdout).toMatch(/fan_out\s+│\s+aborted/);
    await waitFor(() => !processAlive(pid), 5_000, 'the goroutine process to be killed');
  });

  it('a task timeout stops an infinite loop in a goroutine; the run fails and the CLI exits by itself', async () => {
    const dir = writeFiles({
      'w.sloth': `task("spin"):timeout("1s"):command(function()
        goroutine.await(goroutine.async(function() log.info("looping") while true do end end))
      end)`,
    });
    const r = await runCli(['workflow', 'run', '-f', join(dir, 'w.sloth'), '-o', 'json'], { timeoutMs: 20_000 });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).tasks.spin).toMatchObject({ status: 'timeout', error: 'timed out after 1s' });
    expect(r.stderr).toContain('[spin] looping');
  });

  it('a failing goroutine is a result, not a failed workflow; its error and traceback reach the log', async () => {
    const dir = writeFiles({
      'w.sloth': `task("t"):command(function()
        local results = goroutine.await_all({ goroutine.async(function() error("disk full") end) })
        log.warn("goroutine said: " .. results[1].error .. "\\n" .. results[1].traceback)
        goroutine.spawn(function() local t = nil; return t.x end)
      end)`,
    });
    const r = await runCli(['workflow', 'run', '-f', join(dir, 'w.sloth')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\[t\] .*goroutine said: \S*w\.sloth:2: disk full/);
    expect(r.stdout).toMatch(/\[t\] .*goroutine\.spawn: \S*w\.sloth:4: attempt to index a nil value \(local 't'\)/);
  });

  it('goroutines at the top level of a file are a load error naming the line', async () => {
    const dir = writeFiles({ 'w.sloth': 'local h = goroutine.async(function() end)\ntask("t"):command(function() end)' });
    const r = await runCli(['workflow', 'run', '-f', join(dir, 'w.sloth')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('w.sloth:1: goroutine.async can only be used inside a task');
  });
});
