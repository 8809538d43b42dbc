import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@sloth/core/testing';
import { type CliResult, runCli, startCli } from './cli.test-helper.js';

/** A fresh data directory: every scenario gets its own stacks. */
export function freshHome(): string {
  return mkdtempSync(join(tmpdir(), 'sloth-stack-home-'));
}

/** Runs the CLI against a data directory. */
export function sloth(home: string, args: string[], cwd?: string): Promise<CliResult> {
  return runCli(args, { env: { SLOTH_HOME: home }, ...(cwd ? { cwd } : {}) });
}

/** Runs the CLI with --output json and parses stdout (failing with the whole output when it is not JSON). */
export async function slothJson(
  home: string,
  args: string[],
): Promise<{ r: CliResult; json: Record<string, unknown> & unknown[] }> {
  const r = await sloth(home, [...args, '--output', 'json']);
  try {
    return { r, json: JSON.parse(r.stdout) };
  } catch {
    throw new Error(`not JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
}

/** Starts a run in the background. */
export function startRun(home: string, args: string[]) {
  return startCli(args, { env: { SLOTH_HOME: home } });
}

/** Waits (bounded) for a file a task writes to say where it is. */
export function waitForFile(path: string, what: string): Promise<void> {
  return waitFor(() => existsSync(path), 20_000, what);
}

/**
 * A workflow whose task registers `file/<name>`, writes `ready`, then waits (at most 30 s) for `go` in `dir`:
 * the test decides when it ends.
 */
export function gatedWorkflow(dir: string, name = 'gated'): string {
  return `
task("hold"):command(function()
  stack.register_resource({ type = "marker", name = "${name}", properties = { n = 1 } })
  fs.write("${dir}/ready", "1")
  exec.run("for i in $(seq 600); do [ -f '${dir}/go' ] && exit 0; sleep 0.05; done; exit 1")
  return true
end)
workflow.define("gated", { tasks = { "hold" } })
`;
}
