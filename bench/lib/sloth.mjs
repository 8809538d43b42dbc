// Running a workflow file through the real CLI and reading its JSON report.

import { failure, runChild } from './measure.mjs';
import { CLI, REPO } from './paths.mjs';

/**
 * `./sloth-runner workflow run -f FILE --output json [...args]`; resolves with the CLI's wall time, the engine's
 * duration_ms, the parsed report and stderr. Throws when the run fails, times out or prints no JSON.
 * `env` is added to this process's environment.
 */
export async function runWorkflowFile(file, { timeoutMs, args = [], env }) {
  const r = await runChild(CLI, ['workflow', 'run', '-f', file, '--output', 'json', ...args], {
    timeoutMs,
    cwd: REPO,
    env: env ? { ...process.env, ...env } : undefined,
  });
  const why = failure(r, `sloth-runner ${file}`);
  if (why) throw new Error(why);
  let report;
  try {
    report = JSON.parse(r.stdout);
  } catch {
    throw new Error(`sloth-runner ${file}: stdout is not one JSON object: ${r.stdout.slice(0, 200)}`);
  }
  if (report.status !== 'success') throw new Error(`sloth-runner ${file}: status ${report.status}`);
  return { wallMs: r.wallMs, engineMs: report.duration_ms, report, stderr: r.stderr };
}

/** Node warnings the CLI printed (e.g. MaxListenersExceededWarning), deduplicated. */
export function nodeWarnings(stderr) {
  const found = new Set();
  for (const m of stderr.matchAll(/\(node:\d+\) (\w+Warning)/g)) found.add(m[1]);
  return [...found];
}
