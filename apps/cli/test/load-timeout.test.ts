import { join } from 'node:path';
import { processAlive } from '@sloth/core/testing';
import { describe, expect, it } from 'vitest';
import { collect, runCli, startCli, writeFiles } from './cli.test-helper.js';
import { fleetHome, startAgent, startMaster } from './fleet.test-helper.js';

const LOOP = 'local n = 0\nwhile true do\n  n = n + 1\nend\n';
const COROUTINE_LOOP = 'local co = coroutine.wrap(function() while true do coroutine.yield() end end)\nwhile true do co() end\n';

describe('a file whose top level never ends', () => {
  it('is a load error with the file and the line where it was stopped, for run, validate, list and preview', async () => {
    const dir = writeFiles({ 'loop.sloth': LOOP, 'co.sloth': COROUTINE_LOOP });
    for (const command of [['workflow', 'run'], ['validate'], ['workflow', 'list'], ['workflow', 'preview']]) {
      // The bound on the CLI turns a hang into a failure of this test.
      const r = await runCli([...command, '-f', join(dir, 'loop.sloth'), '--load-timeout', '500ms'], { timeoutMs: 20_000 });
      expect(r.code, command.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/loop\.sloth:[234]: loading the file took longer than 500ms; stopped here/);
      expect(r.stderr).toContain('--load-timeout');
    }
    const co = await runCli(['validate', '-f', join(dir, 'co.sloth'), '--load-timeout', '500ms'], { timeoutMs: 20_000 });
    expect(co.code).toBe(2);
    expect(co.stderr).toMatch(/co\.sloth:[12]: loading the file took longer than 500ms/);
  });

  it('a bad --load-timeout is a usage error', async () => {
    const dir = writeFiles({ 'ok.sloth': 'task("a"):command("true")\n' });
    const r = await runCli(['validate', '-f', join(dir, 'ok.sloth'), '--load-timeout', 'soon']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--load-timeout');
  });

  it('on an agent, loading is covered by the task timeout, and the agent stays responsive', async () => {
    const { home, tokenFile } = fleetHome();
    const master = await startMaster(home, tokenFile);
    // The file loops at load only where SLOTH_TEST_LOOP is set: on the agent, not here.
    const agent = startAgent(home, 'looper', master.url, tokenFile, { env: { SLOTH_TEST_LOOP: '1' } });
    await agent.waitFor(/registered with the master/);
    const dir = writeFiles({
      'remote.sloth': `if os.getenv("SLOTH_TEST_LOOP") then\n  while true do end\nend\ntask("t"):delegate_to("looper"):timeout("1s"):command(function() return true end)\n`,
    });
    const cli = ['--master', master.url, '--token-file', tokenFile];
    const r = await runCli(['workflow', 'run', '-f', join(dir, 'remote.sloth'), '-o', 'json', ...cli], { timeoutMs: 30_000 });
    expect(r.code, r.stderr).toBe(1);
    // The caller's own copy of the timeout may say so first; either way the agent must have stopped loading.
    expect(JSON.parse(r.stdout).tasks.t.error).toMatch(/timed out after 1s|loading the file took longer than 1(\.00)?s/);
    await agent.waitFor(
      /work \S+ (finished|\(task t[^)]*\) failed): remote\.sloth:2: loading the file (took longer|was stopped)/,
    );
    const echo = await runCli(['agent', 'exec', 'looper', 'echo still here', ...cli], { timeoutMs: 20_000 });
    expect(echo.stdout).toBe('still here\n');
  });

  it('an agent loading a looping file stops on SIGTERM within its grace', async () => {
    const { home, tokenFile } = fleetHome();
    const master = await startMaster(home, tokenFile);
    const agent = startAgent(home, 'term-loop', master.url, tokenFile, { env: { SLOTH_TEST_LOOP: '1' } });
    await agent.waitFor(/registered with the master/);
    const dir = writeFiles({
      'remote.sloth': `if os.getenv("SLOTH_TEST_LOOP") then\n  while true do end\nend\ntask("t"):delegate_to("term-loop"):command(function() return true end)\n`,
    });
    const run = startCli(['workflow', 'run', '-f', join(dir, 'remote.sloth'), '--master', master.url, '--token-file', tokenFile]);
    const done = collect(run, 60_000);
    await agent.waitFor(/running work \S+: task t/);
    agent.child.kill('SIGTERM');
    const exit = await agent.exited;
    expect(exit.signal).toBeNull();
    expect(processAlive(agent.child.pid as number)).toBe(false);
    run.kill('SIGINT');
    await done;
  });
});
