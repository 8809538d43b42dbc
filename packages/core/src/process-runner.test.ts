import { readFileSync } from 'node:fs';
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processAlive } from './daemon/pid-file.js';
import { SlothError } from './errors.js';
import { trackLeftovers } from './process.test-helper.js';
import { type ProcessResult, runProcess } from './process-runner.js';
import { setSpawnMode } from './spawn-helper.js';
import { waitFor } from './wait-for.js';

/** Polls `predicate` until it holds, failing after `timeoutMs`. */
/** Rejects if `promise` has not settled within `ms`: turns a hang into a failure. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms}ms`)), ms);
  });
  return Promise.race([promise, bound]).finally(() => clearTimeout(timer));
}

const leftovers = trackLeftovers();

const PATH = process.env.PATH ?? '/usr/bin:/bin';

/** Runs a command and collects its lines; resolves `firstLine` as soon as stdout prints one. */
function start(options: Parameters<typeof runProcess>[0]) {
  const lines: { stream: string; line: string }[] = [];
  let resolveFirst: (line: string) => void = () => {};
  const firstLine = new Promise<string>((r) => {
    resolveFirst = r;
  });
  const result = runProcess({
    ...options,
    onLine: (stream, line) => {
      lines.push({ stream, line });
      if (stream === 'stdout') resolveFirst(line);
    },
  });
  return { lines, firstLine: within(firstLine, 10_000, 'first line'), result: within(result, 15_000, 'runProcess') };
}

function pipeHandles(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'PipeWrap').length;
}

// Every test runs twice: processes started by this Node process, and by the spawn helper (spawn-helper.ts).
for (const mode of ['direct', 'helper'] as const) {
  describe(`started ${mode === 'direct' ? 'directly' : 'by the spawn helper'}`, () => {
    beforeAll(() => setSpawnMode(mode));
    afterAll(() => setSpawnMode('auto'));

    it(mode === 'direct' ? 'starts the process itself' : 'has the helper start the process (its parent is not us)', async () => {
      const r = await runProcess({ command: ['/bin/sh', '-c', 'echo $PPID'] });
      expect(r.exitCode).toBe(0);
      if (mode === 'direct') expect(Number(r.stdout.trim())).toBe(process.pid);
      else expect(Number(r.stdout.trim())).not.toBe(process.pid);
    });

    describe('runProcess: exit status and output', () => {
      it('captures stdout and stderr separately, with exit code 0', async () => {
        const r = await runProcess({ command: 'echo out; echo err >&2; printf "no newline"' });
        expect(r).toMatchObject({
          exitCode: 0,
          signal: null,
          stdout: 'out\nno newline',
          stderr: 'err\n',
          timedOut: false,
          aborted: false,
          truncated: false,
        });
        expect(r.durationMs).toBeGreaterThanOrEqual(0);
      });

      it.each([1, 3, 42, 255])('reports exit code %d', async (code) => {
        const r = await runProcess({ command: `exit ${code}` });
        expect(r.exitCode).toBe(code);
        expect(r.signal).toBeNull();
      });

      it('reports the signal that killed the process', async () => {
        const r = await runProcess({ command: 'kill -9 $$' });
        expect(r.exitCode).toBeNull();
        expect(r.signal).toBe('SIGKILL');
        expect(r.timedOut).toBe(false);
        expect(r.aborted).toBe(false);
      });

      it('runs an argv list directly, without shell word splitting', async () => {
        const r = await runProcess({ command: ['printf', '[%s]', 'a b', '$HOME', '*'] });
        expect(r.exitCode).toBe(0);
        expect(r.stdout).toBe('[a b][$HOME][*]');
      });

      it('rejects an empty argv list', async () => {
        await expect(runProcess({ command: [] })).rejects.toThrow(SlothError);
        await expect(runProcess({ command: [] })).rejects.toThrow('empty command');
      });

      it('feeds stdin', async () => {
        const r = await runProcess({ command: 'tr a-z A-Z', stdin: 'hello\nworld\n' });
        expect(r.stdout).toBe('HELLO\nWORLD\n');
      });

      it('gives an empty, closed stdin when none is set', async () => {
        const r = await runProcess({ command: 'cat; echo "[eof]"' });
        expect(r.stdout).toBe('[eof]\n');
      });

      it('does not fail when the child exits without reading a large stdin', async () => {
        const r = await runProcess({ command: 'exit 0', stdin: 'x'.repeat(1024 * 1024) });
        expect(r.exitCode).toBe(0);
      });

      it('uses env as the complete environment of the child', async () => {
        const r = await runProcess({
          // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion, not a JS template
          command: 'echo "$FOO|${HOME-unset}|$EMPTY_OK"',
          env: { PATH, FOO: 'bar baz', EMPTY_OK: 'yes' },
        });
        expect(r.stdout).toBe('bar baz|unset|yes\n');
      });

      it('inherits the environment when env is not set', async () => {
        process.env.SLOTH_TEST_MARKER = 'inherited';
        try {
          const r = await runProcess({ command: 'echo "$SLOTH_TEST_MARKER"' });
          expect(r.stdout).toBe('inherited\n');
        } finally {
          delete process.env.SLOTH_TEST_MARKER;
        }
      });

      it('runs in cwd', async () => {
        const dir = await mkdtemp(join(tmpdir(), 'sloth-pr-'));
        try {
          const r = await runProcess({ command: 'pwd; echo data > made-here.txt', cwd: dir });
          expect(r.stdout.trim()).toBe(await realpath(dir));
          expect(readFileSync(join(dir, 'made-here.txt'), 'utf8')).toBe('data\n');
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      });

      it('returns 127 for a shell command that does not exist', async () => {
        const r = await runProcess({ command: 'definitely-not-a-command-sloth-xyz --flag' });
        expect(r.exitCode).toBe(127);
        expect(r.stderr).toMatch(/definitely-not-a-command-sloth-xyz.*not found/);
      });

      it('returns 127 for an argv program that does not exist', async () => {
        const r = await runProcess({ command: ['/nonexistent/sloth-binary', 'x'] });
        expect(r.exitCode).toBe(127);
        expect(r.stderr).toBe('/nonexistent/sloth-binary: command not found\n');
      });

      it('says so when cwd does not exist, instead of "command not found"', async () => {
        const r = await runProcess({ command: 'echo hi', cwd: '/nonexistent/sloth-dir' });
        expect(r.exitCode).not.toBe(0);
        expect(r.stderr).toContain('/nonexistent/sloth-dir');
        expect(r.stderr).not.toContain('command not found');
        expect(r.spawnError).toBe('ENOENT');
      });

      it('returns a result, not an exception, when spawn throws at once (a cwd that is a file)', async () => {
        const lines: string[] = [];
        const r = await runProcess({ command: ['/bin/true'], cwd: process.execPath, onLine: (_s, line) => lines.push(line) });
        expect(r.exitCode).toBe(126);
        expect(r.spawnError).toBe('ENOTDIR');
        expect(r.stderr).toContain('/bin/true: spawn ENOTDIR');
        expect(lines).toEqual([r.stderr.trimEnd()]);
      });
    });

    describe('runProcess: streaming lines', () => {
      it('delivers each line once, in order, tagged with its stream, without \\r', async () => {
        const { lines, result } = start({ command: 'printf "one\\r\\ntwo\\n"; echo warn >&2; printf "tail"' });
        await result;
        expect(lines.filter((l) => l.stream === 'stdout').map((l) => l.line)).toEqual(['one', 'two', 'tail']);
        expect(lines.filter((l) => l.stream === 'stderr').map((l) => l.line)).toEqual(['warn']);
      });

      it('delivers lines while the process is still running', async () => {
        const controller = new AbortController();
        const { firstLine, result } = start({ command: 'echo early; sleep 30', signal: controller.signal });
        let settled = false;
        void result.finally(() => {
          settled = true;
        });
        // If lines only arrived at exit, this would wait for the 30s sleep and fail the bound.
        expect(await firstLine).toBe('early');
        expect(settled).toBe(false);
        controller.abort();
        const r = await result;
        expect(r.aborted).toBe(true);
        expect(r.stdout).toBe('early\n');
      });

      it('delivers a 64KB+ line without newline in pieces', async () => {
        const size = 200_000;
        const { lines, result } = start({ command: `head -c ${size} /dev/zero | tr '\\0' a` });
        const r = await result;
        const pieces = lines.filter((l) => l.stream === 'stdout').map((l) => l.line);
        expect(pieces.length).toBeGreaterThanOrEqual(Math.ceil(size / (64 * 1024)));
        for (const p of pieces) {
          expect(p.length).toBeGreaterThan(0);
          expect(p.length).toBeLessThanOrEqual(64 * 1024);
        }
        expect(pieces.join('')).toBe('a'.repeat(size));
        expect(r.stdout.length).toBe(size);
      });

      it('does not split multi-byte characters across chunk boundaries', async () => {
        const count = 50_000; // 150KB of 3-byte characters: several pipe chunks
        const { lines, result } = start({ command: `head -c ${count} /dev/zero | tr '\\0' x | sed 's/x/€/g'` });
        const r = await result;
        const text = lines
          .filter((l) => l.stream === 'stdout')
          .map((l) => l.line)
          .join('');
        expect(text).toBe('€'.repeat(count));
        expect(r.stdout).toBe('€'.repeat(count));
      });
    });

    describe('runProcess: capture limit', () => {
      it('keeps only maxCaptureBytes of output and flags the truncation', async () => {
        const { lines, result } = start({
          command: `head -c 10000 /dev/zero | tr '\\0' x; echo; echo small >&2`,
          maxCaptureBytes: 1000,
        });
        const r = await result;
        expect(r.truncated).toBe(true);
        expect(r.stdout.startsWith('x'.repeat(1000))).toBe(true);
        expect(r.stdout).not.toContain('x'.repeat(1001));
        expect(r.stdout).toContain('[output truncated: only the first 1000 bytes were kept]');
        expect(r.stderr).toBe('small\n');
        // Live lines are not cut by the capture limit.
        expect(lines.find((l) => l.stream === 'stdout')?.line).toBe('x'.repeat(10000));
      });

      it('flags truncation when the limit falls inside a single chunk', async () => {
        // One 2000-byte write (< PIPE_BUF, so atomic) arrives as one chunk that straddles the limit.
        const r = await runProcess({ command: `printf '%s' "$(head -c 2000 /dev/zero | tr '\\0' y)"`, maxCaptureBytes: 1500 });
        expect(r.truncated).toBe(true);
        expect(r.stdout).toBe(`${'y'.repeat(1500)}\n[output truncated: only the first 1500 bytes were kept]`);
      });

      it('does not flag output that fits exactly', async () => {
        const r = await runProcess({ command: `head -c 1000 /dev/zero | tr '\\0' x`, maxCaptureBytes: 1000 });
        expect(r.truncated).toBe(false);
        expect(r.stdout).toBe('x'.repeat(1000));
      });
    });

    describe('runProcess: timeout, abort and process groups', () => {
      it('on timeout kills the whole process group, including a background grandchild', async () => {
        const { firstLine, result } = start({ command: 'sleep 30 & echo $!; wait', timeoutMs: 300 });
        const grandchild = Number(await firstLine);
        leftovers.push(grandchild);
        expect(processAlive(grandchild)).toBe(true);
        const r: ProcessResult = await result;
        expect(r.timedOut).toBe(true);
        expect(r.aborted).toBe(false);
        expect(r.exitCode).toBeNull();
        expect(r.signal).toBe('SIGTERM');
        expect(r.durationMs).toBeGreaterThanOrEqual(290);
        await waitFor(() => !processAlive(grandchild), 5000, `grandchild ${grandchild} to die`);
      });

      it('on timeout kills a grandchild that was started in a subshell and outlives its parent', async () => {
        const { firstLine, result } = start({ command: '( sleep 30 & echo $! ) ; sleep 30', timeoutMs: 300 });
        const grandchild = Number(await firstLine);
        leftovers.push(grandchild);
        const r = await result;
        expect(r.timedOut).toBe(true);
        await waitFor(() => !processAlive(grandchild), 5000, `grandchild ${grandchild} to die`);
      });

      it('escalates to SIGKILL when the group ignores SIGTERM', async () => {
        const { firstLine, result } = start({
          command: 'trap "" TERM; sleep 30 & echo $!; while :; do sleep 0.05; done',
          timeoutMs: 200,
        });
        const grandchild = Number(await firstLine);
        leftovers.push(grandchild);
        const r = await result;
        expect(r.timedOut).toBe(true);
        expect(r.signal).toBe('SIGKILL');
        await waitFor(() => !processAlive(grandchild), 5000, `grandchild ${grandchild} to die`);
      });

      it('abort via AbortSignal kills the group and flags aborted', async () => {
        const controller = new AbortController();
        const { firstLine, result } = start({ command: 'sleep 30 & echo $!; wait', signal: controller.signal });
        const grandchild = Number(await firstLine);
        leftovers.push(grandchild);
        controller.abort();
        const r = await result;
        expect(r.aborted).toBe(true);
        expect(r.timedOut).toBe(false);
        expect(r.exitCode).toBeNull();
        await waitFor(() => !processAlive(grandchild), 5000, `grandchild ${grandchild} to die`);
      });

      it('does not start anything when the signal is already aborted', async () => {
        const dir = await mkdtemp(join(tmpdir(), 'sloth-pr-'));
        try {
          const controller = new AbortController();
          controller.abort();
          const r = await runProcess({ command: 'touch started', cwd: dir, signal: controller.signal });
          expect(r).toMatchObject({ aborted: true, exitCode: null, stdout: '', stderr: '' });
          expect(() => readFileSync(join(dir, 'started'))).toThrow();
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      });

      it('does not kill anything when the signal fires after the process finished', async () => {
        const controller = new AbortController();
        const r = await runProcess({ command: 'echo done', signal: controller.signal });
        controller.abort();
        expect(r).toMatchObject({ exitCode: 0, aborted: false, stdout: 'done\n' });
      });

      it('returns when the shell exits even if a daemonised grandchild keeps stdout open, and lets go of the pipes', async () => {
        const before = pipeHandles();
        const r = await within(runProcess({ command: 'sleep 30 & echo $!' }), 10_000, 'runProcess with a daemon');
        const daemon = Number(r.stdout.trim());
        leftovers.push(daemon);
        expect(r.exitCode).toBe(0);
        expect(Number.isInteger(daemon) && daemon > 0).toBe(true);
        // Pipe handles left open would keep the Node process (the CLI) alive until the daemon exits.
        await waitFor(() => pipeHandles() <= before, 3000, 'the child pipes to be closed');
      });
    });

    describe('runProcess: user', () => {
      it('runs as the current user when asked to', async () => {
        const r = await runProcess({ command: 'id -u', user: userInfo().username });
        expect(r.stdout.trim()).toBe(String(process.getuid?.()));
      });

      it.skipIf(process.getuid?.() !== 0)('as root, switches to another user', async () => {
        const r = await runProcess({ command: 'id -un', user: 'nobody' });
        expect(r.exitCode).toBe(0);
        expect(r.stdout.trim()).toBe('nobody');
      });

      it.skipIf(process.getuid?.() !== 0)('as root, reports an unknown user as not_found', async () => {
        const err = await runProcess({ command: 'true', user: 'no-such-user-sloth' }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(SlothError);
        expect((err as SlothError).code).toBe('not_found');
        expect((err as SlothError).message).toBe("user 'no-such-user-sloth' does not exist on this machine");
      });

      it.skipIf(process.getuid?.() === 0)('as a normal user, refuses to switch users', async () => {
        const err = await runProcess({ command: 'true', user: 'nobody' }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(SlothError);
        expect((err as SlothError).code).toBe('invalid_argument');
      });
    });

    describe('a timeout after the process exited', () => {
      it('does not fire while a background child holds the pipes open', async () => {
        // The shell exits at once; its background child keeps stdout open past the 100ms timeout.
        const r = await runProcess({ command: 'sleep 2 & echo started', timeoutMs: 100 });
        expect(r.exitCode).toBe(0);
        expect(r.timedOut).toBe(false);
        expect(r.stdout).toContain('started');
      });
    });
  });
}
