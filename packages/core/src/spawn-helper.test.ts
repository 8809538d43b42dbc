import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processAlive } from './daemon/pid-file.js';
import { runProcess } from './process-runner.js';
import { setSpawnMode } from './spawn-helper.js';
import { waitFor } from './wait-for.js';

const run = promisify(execFile);
const DIST = fileURLToPath(new URL('../dist/', import.meta.url));

/** The pids of this process's children that run the spawn helper (from /proc: no helper pid is exposed). */
const HELPER_CHILDREN = `const helpers = () => readdirSync('/proc').filter((p) => /^\\d+$/.test(p)).filter((p) => {
  try {
    const stat = readFileSync('/proc/' + p + '/stat', 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === process.pid && readFileSync('/proc/' + p + '/cmdline', 'utf8').includes('spawn-helper-main');
  } catch { return false; }
});`;

describe('the spawn helper', () => {
  it('started ahead of need, takes the commands once it is up, and retires unused after its idle time', async () => {
    const script = [
      "import { readdirSync, readFileSync } from 'node:fs';",
      `import { setSpawnMode, startSpawnHelper } from ${JSON.stringify(`${DIST}spawn-helper.js`)};`,
      `import { runProcess } from ${JSON.stringify(`${DIST}process-runner.js`)};`,
      `import { waitFor } from ${JSON.stringify(`${DIST}wait-for.js`)};`,
      HELPER_CHILDREN,
      // Unused: it ends after its idle time.
      "setSpawnMode('auto', 300);",
      'startSpawnHelper();',
      "await waitFor(() => helpers().length === 1, 10_000, 'the helper to start');",
      "await waitFor(() => helpers().length === 0, 10_000, 'the unused helper to retire');",
      // Used: once it is up, commands start from it (their parent is the helper, not this process).
      "setSpawnMode('auto');",
      'startSpawnHelper();',
      "const ppid = async () => Number((await runProcess({ command: ['/bin/sh', '-c', 'echo $PPID'] })).stdout.trim());",
      'let parent = await ppid();',
      "await waitFor(async () => (parent = await ppid()) !== process.pid, 10_000, 'a command started by the helper');",
      "console.log(parent === Number(helpers()[0]) ? 'ok' : 'parent ' + parent + ', helpers ' + helpers().join(' '));",
    ].join('\n');
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { timeout: 30_000 });
    expect(stdout.trim()).toBe('ok');
  });

  it('does not keep a finished Node process alive, and ends with it', async () => {
    const script = [
      `import { setSpawnMode } from ${JSON.stringify(`${DIST}spawn-helper.js`)};`,
      `import { runProcess } from ${JSON.stringify(`${DIST}process-runner.js`)};`,
      "setSpawnMode('helper');",
      "const r = await runProcess({ command: ['/bin/sh', '-c', 'echo $PPID'] });",
      'console.log(r.stdout.trim(), process.pid);',
    ].join('\n');
    // The bound is the test: a helper holding the event loop would keep this process running until it is killed.
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { timeout: 20_000 });
    const [helper, parent] = stdout.trim().split(' ').map(Number);
    expect(helper).not.toBe(parent);
    await waitFor(() => !processAlive(helper as number), 5000, 'the helper to end with its parent');
  });

  it('exits quietly when the process that started it is gone before it is up (no "Channel closed" crash)', {
    timeout: 20_000,
  }, async () => {
    const { fork } = await import('node:child_process');
    const child = fork(`${DIST}spawn-helper-main.cjs`, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], execArgv: [] });
    let stderr = '';
    const stderrDone = new Promise((resolve) => child.stderr?.on('end', resolve));
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('spawn', () => child.disconnect());
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    await stderrDone;
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('ends when idle, and a later command starts another', async () => {
    setSpawnMode('helper', 200);
    try {
      const ppid = async () => Number((await runProcess({ command: ['/bin/sh', '-c', 'echo $PPID'] })).stdout.trim());
      const first = await ppid();
      expect(first).not.toBe(process.pid);
      await waitFor(() => !processAlive(first), 5000, 'the idle helper to end');
      const second = await ppid();
      expect(second).not.toBe(process.pid);
      expect(second).not.toBe(first);
    } finally {
      setSpawnMode('auto');
    }
  });

  it("a helper that retires while idle leaves another thread's commands running", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sloth-retire-'));
    const script = join(dir, 'thread.mjs');
    writeFileSync(
      script,
      [
        "import { parentPort } from 'node:worker_threads';",
        `import { setSpawnMode } from ${JSON.stringify(`${DIST}spawn-helper.js`)};`,
        `import { runProcess } from ${JSON.stringify(`${DIST}process-runner.js`)};`,
        "setSpawnMode('helper');",
        "void runProcess({ command: ['/bin/sh', '-c', 'echo $$; exec sleep 30'], onLine: (_s, line) => parentPort.postMessage(Number(line)) });",
      ].join('\n'),
    );
    setSpawnMode('helper', 200);
    const thread = new Worker(script);
    let sleeper = 0;
    thread.on('message', (pid: number) => {
      sleeper = pid;
    });
    try {
      await waitFor(() => sleeper > 0, 10_000, "the thread's command to start");
      const mainHelper = Number((await runProcess({ command: ['/bin/sh', '-c', 'echo $PPID'] })).stdout.trim());
      await waitFor(() => !processAlive(mainHelper), 5000, "this thread's idle helper to retire");
      expect(processAlive(sleeper)).toBe(true);
    } finally {
      setSpawnMode('auto');
      await thread.terminate();
      if (sleeper > 0) process.kill(-sleeper, 'SIGKILL');
    }
  });

  describe('when it dies while a process runs', () => {
    beforeAll(() => setSpawnMode('helper'));
    afterAll(() => setSpawnMode('auto'));

    it('kills what it ran, reports the task failed at once, and later processes start directly', async () => {
      let helperPid = 0;
      let sleeperPid = 0;
      const result = runProcess({
        command: ['/bin/sh', '-c', 'echo $PPID $$; exec sleep 30'],
        // The first stdout line only: the helper's death later writes to stderr.
        onLine: (stream, line) => {
          if (stream === 'stdout' && helperPid === 0) [helperPid, sleeperPid] = line.split(' ').map(Number) as [number, number];
        },
      });
      await waitFor(() => helperPid > 0, 10_000, 'the first line');
      process.kill(helperPid, 'SIGKILL');
      const r = await Promise.race([
        result,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('runProcess hung')), 10_000)),
      ]);
      expect(r.exitCode).toBe(126);
      expect(r.stderr).toContain('the spawn helper exited');
      await waitFor(() => !processAlive(sleeperPid), 5000, 'the orphaned command to be killed');
      const next = await runProcess({ command: ['/bin/sh', '-c', 'echo $PPID'] });
      expect(Number(next.stdout.trim())).toBe(process.pid);
    });
  });
});
