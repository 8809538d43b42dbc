// `pnpm bench`: runs every benchmark against its reference, prints markdown tables, writes bench/RESULTS.md.
// BENCH_SKIP_ANSIBLE=1 skips the ~100 s Ansible reference. BENCH_ONLY=exec,noop,fib,startup runs a subset
// (RESULTS.md is then left alone).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as agents from './cases/agents.mjs';
import * as configure from './cases/configure.mjs';
import * as dashboard from './cases/dashboard.mjs';
import * as events from './cases/events.mjs';
import * as exec500 from './cases/exec-500.mjs';
import * as fanout from './cases/fanout.mjs';
import * as fib from './cases/fib.mjs';
import * as goroutine from './cases/goroutine.mjs';
import * as http from './cases/http.mjs';
import * as infraTest from './cases/infra-test.mjs';
import * as metrics from './cases/metrics.mjs';
import * as noop1000 from './cases/noop-1000.mjs';
import * as reconnect from './cases/reconnect.mjs';
import * as scheduler from './cases/scheduler.mjs';
import * as sshFanout from './cases/ssh-fanout.mjs';
import * as stack from './cases/stack.mjs';
import * as startup from './cases/startup.mjs';
import * as state from './cases/state.mjs';
import { load1, machineInfo } from './lib/machine.mjs';
import { onlyCases, skipAnsible } from './lib/options.mjs';
import { BENCH_DIR } from './lib/paths.mjs';
import { caseSection, resultsMarkdown, summaryTable } from './lib/report.mjs';

const CASES = {
  exec: exec500,
  noop: noop1000,
  fib,
  startup,
  state,
  stack,
  goroutine,
  agents,
  reconnect,
  events,
  fanout,
  'ssh-fanout': sshFanout,
  configure,
  http,
  infra: infraTest,
  scheduler,
  metrics,
  dashboard,
};
const only = onlyCases;
for (const k of only ?? [])
  if (!(k in CASES)) throw new Error(`BENCH_ONLY: unknown case '${k}' (known: ${Object.keys(CASES).join(', ')})`);

const started = performance.now();
const log = (msg) => process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(3)}s] ${msg}\n`);
const machine = machineInfo();
log(`nproc ${machine.nproc}, node ${machine.node}, load ${machine.loadAtStart}`);

const results = [];
for (const [key, mod] of Object.entries(CASES)) {
  if (only && !only.includes(key)) continue;
  let res;
  try {
    res = await mod.run(log);
  } catch (e) {
    // A broken case is reported, not fatal: the other benchmarks still run.
    const why = e instanceof Error ? e.message : String(e);
    res = {
      title: key,
      headers: ['error'],
      rows: [[why]],
      summary: [{ benchmark: key, sloth: 'error', reference: '–', ratio: '–', target: '–', met: undefined }],
      notes: [`**${key}:** failed: ${why}`],
    };
  }
  results.push(res);
  process.stdout.write(`${caseSection(res)}\n\n`);
}

process.stdout.write(`### Summary\n\n${summaryTable(results)}\n\n### Interpretation\n\n`);
process.stdout.write(`${results.flatMap((r) => r.notes.filter(Boolean).map((n) => `- ${n}`)).join('\n')}\n`);
const totalMs = performance.now() - started;
if (!only) {
  const file = join(BENCH_DIR, 'RESULTS.md');
  writeFileSync(
    file,
    resultsMarkdown({
      machine,
      cases: results,
      totalMs,
      skippedAnsible: skipAnsible,
      loadAtEnd: load1(),
    }),
  );
  log(`wrote ${file}`);
}
log(`done in ${(totalMs / 1000).toFixed(0)} s`);
