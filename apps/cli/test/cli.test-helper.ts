import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@sloth/core/testing';
import { expect } from 'vitest';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
export const BIN = join(REPO, 'apps/cli/bin/run.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A data directory of this test process's own, so tests never touch ~/.sloth-runner. */
export const TEST_SLOTH_HOME = mkdtempSync(join(tmpdir(), 'sloth-home-'));

/**
 * Starts the real CLI as a child process (CI=1 so output is plain lines); `input` is written to its stdin; `bin` is
 * another installation's bin/run.js (default: this checkout's).
 */
export function startCli(
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; input?: string; bin?: string } = {},
): ChildProcess {
  const child = spawn(process.execPath, [options.bin ?? BIN, ...args], {
    cwd: options.cwd ?? REPO,
    env: { ...process.env, CI: '1', NO_COLOR: '1', SLOTH_HOME: TEST_SLOTH_HOME, ...options.env },
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (options.input !== undefined) child.stdin?.end(options.input);
  return child;
}

/** Runs the CLI to completion, killing it if it outlives `timeoutMs` (a hang fails the test, it does not stall it). */
export function runCli(
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number; input?: string; bin?: string } = {},
): Promise<CliResult> {
  const child = startCli(args, options);
  return collect(child, options.timeoutMs ?? 30_000);
}

/** Collects a started CLI's output until it exits. */
export function collect(child: ChildProcess, timeoutMs: number): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`sloth-runner did not exit within ${timeoutMs}ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Waits until the output so far matches `re`, or fails naming what was awaited and showing that output. */
export async function waitForOutput(output: () => string, re: RegExp, timeoutMs: number): Promise<void> {
  try {
    await waitFor(() => re.test(output()), timeoutMs, String(re));
  } catch (err) {
    throw new Error(`${(err as Error).message}\noutput so far:\n${JSON.stringify(output())}`);
  }
}

/**
 * Two runs of the real CLI on data directory `home`: workflow `good` (a task that logs) succeeds, then `bad` (a task
 * that fails) fails.
 */
export async function runGoodAndBad(home: string): Promise<void> {
  const file = join(home, 'two.sloth');
  writeFileSync(
    file,
    `
task("greet"):command(function() log.info("hello") return true end)
task("break"):command(function() error("the disk is full") end)
workflow.define("good", { tasks = { "greet" } })
workflow.define("bad", { tasks = { "break" } })
`,
  );
  expect((await runCli(['workflow', 'run', 'good', '-f', file, '--data-dir', home])).code).toBe(0);
  expect((await runCli(['workflow', 'run', 'bad', '-f', file, '--data-dir', home])).code).not.toBe(0);
}

/** Writes files into a fresh temp dir (creating folders) and returns its path. */
export { writeFiles } from '@sloth/core/testing';

/** Every file under `dir` (a data directory: database, WAL, key file, logs) whose bytes hold `needle`. */
export function filesHolding(dir: string, needle: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...filesHolding(path, needle));
    else if (readFileSync(path).includes(needle)) found.push(path);
  }
  return found;
}

/** One task of a `workflow run --output json` report (the fields tests read). */
export interface TaskReport {
  status: string;
  changed: boolean;
  output: Record<string, unknown>;
  changes: { function: string; changes: Record<string, unknown> }[];
  error?: string;
}

/**
 * Runs `workflow run -f FILE --output json` (and `extra` flags) in `cwd` with `env`, expects it to succeed, and returns
 * the report of one task.
 */
export async function runTaskJson(
  cwd: string,
  file: string,
  task: string,
  env: Record<string, string>,
  ...extra: string[]
): Promise<TaskReport> {
  const r = await runCli(['workflow', 'run', '-f', file, '--output', 'json', ...extra], { cwd, env });
  if (r.code !== 0) throw new Error(`sloth-runner exited ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  return JSON.parse(r.stdout).tasks[task];
}
