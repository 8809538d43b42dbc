import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SlothError } from '../errors.js';
import { daemonFiles, processAlive, readPidFile } from './pid-file.js';
import { startDaemon } from './start-daemon.js';
import { stopDaemon } from './stop-daemon.js';

// The daemon side as the apps run it: the built module (a child process cannot load TypeScript).
const READY = new URL('../../dist/daemon/daemon-ready.js', import.meta.url).href;
const program = (body: string) => ['--input-type=module', '-e', body];

const pids: number[] = [];
afterEach(() => {
  for (const pid of pids.splice(0)) if (processAlive(pid)) process.kill(pid, 'SIGKILL');
});

function files() {
  return daemonFiles(mkdtempSync(join(tmpdir(), 'sloth-daemon-')), 'thing');
}

const hint = 'start it with `thing --daemon`';

describe('startDaemon and stopDaemon', () => {
  it('returns once the child says it is ready, which writes its pid file; stop ends it and removes the file', async () => {
    const f = files();
    const started = await startDaemon({
      what: 'the thing',
      argv: program(
        `import { daemonReady } from '${READY}'; console.log('starting'); setTimeout(() => daemonReady('up'), 100); setInterval(() => {}, 1000);`,
      ),
      ...f,
      stopHint: hint,
    });
    pids.push(started.pid);
    expect(started.detail).toBe('up');
    expect(readPidFile(f.pidFile)).toBe(started.pid);
    expect(processAlive(started.pid)).toBe(true);
    expect(readFileSync(f.logFile, 'utf8')).toBe('starting\n');
    await expect(startDaemon({ what: 'the thing', argv: program(''), ...f, stopHint: hint })).rejects.toThrow(
      `the thing already runs in the background (pid ${started.pid}`,
    );
    expect(await stopDaemon(f.pidFile, 'the thing', { hint })).toEqual({ pid: started.pid, stale: false });
    expect(processAlive(started.pid)).toBe(false);
    expect(existsSync(f.pidFile)).toBe(false);
  });

  it('fails with the end of the log when the child exits first, and stops one that is never ready', async () => {
    const f = files();
    const failed = startDaemon({
      what: 'the thing',
      argv: program(`console.error('error: the port is in use'); process.exit(3);`),
      ...f,
      stopHint: hint,
    });
    await expect(failed).rejects.toThrow(
      /the thing exited \(code 3\) before it was ready; its log says:\n {4}error: the port is in use$/,
    );
    expect(existsSync(f.pidFile)).toBe(false);

    let pid = 0;
    const slow = startDaemon({
      what: 'the thing',
      argv: program(`console.log('pid', process.pid); setInterval(() => {}, 1000);`),
      ...f,
      timeoutMs: 300,
      stopHint: hint,
    });
    await expect(slow).rejects.toThrow(/the thing was not ready within 300ms: stopped it; its log says:\n {4}pid \d+/);
    pid = Number(/pid (\d+)\n$/.exec(readFileSync(f.logFile, 'utf8'))?.[1]);
    pids.push(pid);
    const deadline = Date.now() + 10_000;
    while (processAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(processAlive(pid)).toBe(false);
  });

  it('stop: no pid file, a stale one, and a process that ignores SIGTERM', async () => {
    const f = files();
    const none = stopDaemon(f.pidFile, 'the thing', { hint });
    await expect(none).rejects.toThrow(`the thing does not run in the background here: ${f.pidFile} does not exist`);
    await expect(none).rejects.toBeInstanceOf(SlothError);

    const gone = spawn(process.execPath, ['-e', '']);
    await new Promise((r) => gone.on('exit', r));
    writeFileSync(f.pidFile, `${gone.pid}\n`);
    expect(await stopDaemon(f.pidFile, 'the thing', { hint })).toEqual({ pid: gone.pid, stale: true });
    expect(existsSync(f.pidFile)).toBe(false);

    const stubborn = spawn(
      process.execPath,
      program(`process.on('SIGTERM', () => {}); console.log('ok'); setInterval(() => {}, 1000);`),
      {
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    pids.push(stubborn.pid as number);
    await new Promise((r) => stubborn.stdout?.once('data', r));
    writeFileSync(f.pidFile, `${stubborn.pid}\n`);
    await expect(stopDaemon(f.pidFile, 'the thing', { hint, timeoutMs: 300 })).rejects.toThrow(
      `the thing (pid ${stubborn.pid}) did not exit within 300ms of SIGTERM`,
    );
    expect(readPidFile(f.pidFile)).toBe(stubborn.pid);
  });
});
