import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, failure, processAlive, testContext } from '@sloth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execModule } from './exec-module.js';
import type { ExecResult } from './result.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sloth-exec-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const run = async (args: unknown[], ctx = testContext({ workdir: dir }).ctx) =>
  (await call(execModule, 'run', args, ctx)) as ExecResult;

describe('exec.run', () => {
  it('in check mode runs nothing and says skipped, unless the call says it only reads (check_mode = false)', async () => {
    const { ctx, lines } = testContext({ workdir: dir, checkMode: true });
    const marker = join(dir, 'check-mode-marker');
    const skipped = await run([`touch ${marker}`], ctx);
    expect(skipped).toMatchObject({ success: true, skipped: true, exit_code: 0, stdout: '' });
    expect(lines.map((l) => l.message)).toContain(
      `skipped (check mode): \`touch ${marker}\` (pass check_mode = false to run a read-only command)`,
    );
    expect(await stat(marker).catch(() => undefined)).toBeUndefined();
    const ran = await run(['echo read-only', { check_mode: false }], ctx);
    expect(ran).toMatchObject({ success: true, stdout: 'read-only\n' });
    expect(ran.skipped).toBeUndefined();
    expect((await failure(run(['true', { check_mode: 'no' }], ctx))).message).toContain("field 'check_mode': expected boolean");
  });

  it('runs a shell command line and returns its output', async () => {
    const r = await run(['echo "hello $((1 + 2))"']);
    expect(r).toMatchObject({ success: true, exit_code: 0, stdout: 'hello 3\n', stderr: '', timed_out: false });
    expect(r.error).toBeUndefined();
    expect(Number.isInteger(r.duration_ms)).toBe(true);
  });

  it('runs an argv list directly, without shell expansion', async () => {
    const r = await run([['printf', '%s|%s', 'a b', '$HOME']]);
    expect(r.stdout).toBe('a b|$HOME');
    expect(r.success).toBe(true);
  });

  it('returns success = false with a one-line error instead of raising when the command fails', async () => {
    const r = await run(['echo partial; echo first >&2; echo "disk full" >&2; exit 3']);
    expect(r).toMatchObject({
      success: false,
      exit_code: 3,
      stdout: 'partial\n',
      stderr: 'first\ndisk full\n',
      timed_out: false,
    });
    expect(r.error).toBe('command `echo partial; echo first >&2; echo "disk full" >&2; exit 3` exited with code 3: disk full');
  });

  it('reports a missing program as exit code 127', async () => {
    const r = await run([['sloth-no-such-program', 'x']]);
    expect(r.success).toBe(false);
    expect(r.exit_code).toBe(127);
    expect(r.error).toContain('command not found');
  });

  it('merges env over the task env, resolves workdir against the task workdir and feeds stdin', async () => {
    await mkdir(join(dir, 'sub'), { recursive: true });
    const r = await run([
      'printf "%s %s %s " "$PORT" "$FLAG" "$(basename "$PWD")"; cat; test -n "$PATH"',
      { workdir: 'sub', env: { PORT: 8080, FLAG: true }, stdin: 'from stdin' },
    ]);
    expect(r.stdout).toBe('8080 true sub from stdin');
    expect(r.success).toBe(true);
    expect((await run(['basename "$PWD"', { cwd: 'sub' }])).stdout).toBe('sub\n');
  });

  it('streams output lines to the task log while the command is still running', async () => {
    // The command blocks on a FIFO until the test sees its first line in the log: only live streaming can unblock it.
    const { ctx, lines } = testContext({
      workdir: dir,
      onLine: (line) => {
        if (line.message === 'waiting') void writeFile(join(dir, 'gate'), 'go\n');
      },
    });
    const r = await run(
      ['rm -f gate; mkfifo gate; echo waiting; read answer < gate; echo "got $answer"; echo oops >&2', { timeout: '30s' }],
      ctx,
    );
    expect(r.success).toBe(true);
    expect(lines.map((l) => [l.level, l.message, l.stream])).toEqual([
      ['info', 'waiting', 'stdout'],
      ['info', 'got go', 'stdout'],
      ['warn', 'oops', 'stderr'],
    ]);
  });

  it('kills the process when the timeout expires and says so', async () => {
    const r = await run(['echo $$; exec sleep 30', { timeout: 0.2 }]);
    expect(r.timed_out).toBe(true);
    expect(r.success).toBe(false);
    expect(r.exit_code).toBe(143);
    expect(r.error).toBe('command `echo $$; exec sleep 30` timed out after 200ms');
    expect(processAlive(Number(r.stdout.trim()))).toBe(false);
  });

  it('accepts Go-style duration strings as timeout', async () => {
    const r = await run(['exec sleep 30', { timeout: '150ms' }]);
    expect(r.timed_out).toBe(true);
  });

  it('kills the process and raises when the task signal fires', async () => {
    const controller = new AbortController();
    let pid = 0;
    const { ctx } = testContext({
      workdir: dir,
      signal: controller.signal,
      onLine: (line) => {
        pid = Number(line.message);
        controller.abort();
      },
    });
    const err = await failure(run(['echo $$; exec sleep 30'], ctx));
    expect(err.code).toBe('aborted');
    expect(err.message).toBe('exec.run: command `echo $$; exec sleep 30` was stopped because the task was cancelled');
    expect(pid).toBeGreaterThan(0);
    expect(processAlive(pid)).toBe(false);
  });

  it('passes the engine abort cause through (task timeout, run stopped)', async () => {
    const controller = new AbortController();
    controller.abort({ kind: 'timeout', timeoutMs: 1500 });
    const { ctx, lines } = testContext({ workdir: dir, signal: controller.signal });
    const err = await failure(run(['echo never'], ctx));
    expect(err.code).toBe('timeout');
    expect(lines).toEqual([]);
  });

  it('rejects invalid arguments with messages naming the argument', async () => {
    const cases: [unknown[], string][] = [
      [[5], 'exec.run: argument #1 (cmd): expected a command string or a list of strings, got number'],
      [['  '], 'exec.run: argument #1 (cmd): expected a command, got a blank string'],
      [[[]], 'exec.run: argument #1 (cmd): expected a command, got an empty table'],
      [[{}], 'exec.run: argument #1 (cmd): expected a command, got an empty table'],
      [[['ls', 3]], 'exec.run: argument #1 (cmd): argv element #2 must be a string, got number'],
      [['ls', 'fast'], 'exec.run: argument #2 (opts): expected table, got string'],
      [['ls', ['x']], 'exec.run: argument #2 (opts): expected a table of options like { timeout = "30s" }, got a list'],
      [
        ['ls', { timout: 1 }],
        "exec.run: argument #2 (opts): unknown option 'timout' (did you mean 'timeout'?); options are workdir, cwd, env, stdin, timeout, check_mode",
      ],
      [['ls', { env: { A: {} } }], "exec.run: argument #2 (opts) field 'env.A': expected a string, number or boolean, got table"],
      [
        ['ls', { timeout: true }],
        'exec.run: argument #2 (opts) field \'timeout\': expected a duration like "30s" or a number of seconds, got boolean',
      ],
    ];
    for (const [args, message] of cases) {
      const err = await failure(run(args));
      expect(err.code).toBe('invalid_argument');
      expect(err.message).toBe(message);
      expect(err.hint).toBe('usage: exec.run(cmd, opts?)');
    }
    expect(await run(['true', []])).toMatchObject({ success: true });
  });

  it('raises for a bad timeout or a missing workdir', async () => {
    const bad = await failure(run(['true', { timeout: '5 minutes' }]));
    expect(bad.code).toBe('invalid_argument');
    expect(bad.message).toBe(
      'exec.run: argument #2 (opts) field \'timeout\': invalid duration "5 minutes" (use a number of seconds or units like "300ms", "30s", "5m", "1h30m")',
    );
    const missing = await failure(run(['true', { workdir: 'no/such/dir' }]));
    expect(missing.code).toBe('not_found');
    expect(missing.message).toBe(`exec.run: workdir '${join(dir, 'no/such/dir')}' does not exist or is not a directory`);
    // A file is no workdir either, for a shell command line as for a program.
    await writeFile(join(dir, 'a-file'), 'x');
    const notDir = await failure(run(['echo hi', { workdir: 'a-file' }]));
    expect(notDir.message).toBe(`exec.run: workdir '${join(dir, 'a-file')}' does not exist or is not a directory`);
  });
});
