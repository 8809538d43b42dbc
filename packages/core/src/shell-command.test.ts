import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runShellForTask, shellBody, shellPredicate } from './shell-command.js';
import type { TaskContext } from './workflow-model.js';

type Line = { level: string; message: string; stream: string | undefined };

let dir: string;
beforeEach(async () => {
  dir = await realpath(await mkdtemp(join(tmpdir(), 'sloth-sh-')));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function context(overrides: Partial<TaskContext> = {}): { ctx: TaskContext; lines: Line[] } {
  const lines: Line[] = [];
  const ctx: TaskContext = {
    runId: 'r',
    task: 't',
    attempt: 1,
    params: {},
    deps: {},
    workdir: dir,
    workdirIsOwn: true,
    sourceDir: dir,
    sourceBundled: false,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', GREETING: 'hi' },
    user: undefined,
    agent: undefined,
    signal: new AbortController().signal,
    log: { log: (level, message, _fields, stream) => void lines.push({ level, message, stream }) },
    checkMode: false,
    reportResource: () => {},
    ...overrides,
  };
  return { ctx, lines };
}

describe('shellBody', () => {
  it('succeeds on exit 0 with trimmed stdout as the message', async () => {
    const { ctx, lines } = context();
    const outcome = await shellBody('echo "$GREETING"; pwd; echo oops >&2')(ctx);
    expect(outcome).toEqual({
      success: true,
      message: `hi\n${dir}`,
      output: { stdout: `hi\n${dir}\n`, stderr: 'oops\n', exit_code: 0 },
    });
    expect(lines).toEqual(
      expect.arrayContaining([
        { level: 'info', message: 'hi', stream: 'stdout' },
        { level: 'warn', message: 'oops', stream: 'stderr' },
      ]),
    );
  });

  it('fails on a non-zero exit', async () => {
    const { ctx } = context();
    const outcome = await shellBody('exit 2')(ctx);
    expect(outcome).toEqual({
      success: false,
      message: 'command `exit 2` exited with code 2',
      output: { stdout: '', stderr: '', exit_code: 2 },
    });
  });

  it('says which signal killed the command', async () => {
    const { ctx } = context();
    const outcome = await shellBody('kill -9 $$')(ctx);
    expect(outcome?.success).toBe(false);
    expect(outcome?.message).toBe('command `kill -9 $$` was killed by SIGKILL');
    expect(outcome?.output?.exit_code).toBe(137); // 128 + 9, as a shell reports it
  });

  it('is stopped by the task signal', async () => {
    const controller = new AbortController();
    const { ctx } = context({ signal: controller.signal });
    const pending = runShellForTask('echo ready; sleep 30', ctx);
    setTimeout(() => controller.abort(), 50);
    const r = await pending;
    expect(r.aborted).toBe(true);
    expect(r.stdout).toBe('ready\n');
  });
});

describe('shellPredicate', () => {
  it('is true on exit 0 and false otherwise, using the task env', async () => {
    const { ctx } = context();
    expect(await shellPredicate('test "$GREETING" = hi')(ctx)).toBe(true);
    expect(await shellPredicate('test "$GREETING" = bye')(ctx)).toBe(false);
    expect(await shellPredicate('no-such-command-sloth')(ctx)).toBe(false);
  });
});
