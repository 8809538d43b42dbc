// Benchmark: the http module. 20 http.get health checks against a local server that answers after 200 ms: in
// goroutines (target: about one answer's time, ~200 ms, not 20 x 200 ms), one after the other in the task, and Node's
// own Promise.all of 20 fetch calls in this process as the floor. A warm-up task starts the goroutine threads first,
// so the timed task measures the checks, not the pool's start (reported on its own row).

import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { interleave, stat } from '../lib/measure.mjs';
import { workFile } from '../lib/paths.mjs';
import { runWorkflowFile } from '../lib/sloth.mjs';
import { statCell as cell, ms, ratio } from '../lib/table.mjs';

const ROUNDS = 5;
const CHECKS = 20;
const DELAY_MS = 200;
const TIMEOUT = 120_000;

const workflow = (port, parallel) => `local url = "http://127.0.0.1:${port}/health"
local function check(i)
  local r = http.get(url .. "?i=" .. i, { timeout = "5s" })
  assert(r.success and r.body == "ok", r.status)
  return r.time_ms
end
local warm = task("warm"):command(function()
  local hs = {}
  for i = 1, 4 do hs[i] = goroutine.async(function() return http.get(url .. "?warm=" .. i).status_code end) end
  for _, r in ipairs(goroutine.await_all(hs)) do assert(r.success, r.error) end
end)
task("checks"):depends_on({ warm }):command(function()
  ${
    parallel
      ? `local handles = {}
  for i = 1, ${CHECKS} do handles[i] = goroutine.async(function() return check(i) end) end
  for _, r in ipairs(goroutine.await_all(handles)) do assert(r.success, r.error) end`
      : `for i = 1, ${CHECKS} do check(i) end`
  }
end)`;

/** A local endpoint that answers "ok" after DELAY_MS, like a slow health check. */
async function healthServer() {
  const server = createServer((_req, res) => setTimeout(() => res.end('ok'), DELAY_MS));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(resolve);
      }),
  };
}

/** Node's own floor: 20 fetch calls with Promise.all in this (warm) process. */
async function nodePromiseAll(port) {
  const url = `http://127.0.0.1:${port}/health`;
  await (await fetch(`${url}?warm`)).text();
  const t0 = performance.now();
  const bodies = await Promise.all(
    Array.from({ length: CHECKS }, async (_, i) => (await fetch(`${url}?i=${i}`, { signal: AbortSignal.timeout(5000) })).text()),
  );
  if (!bodies.every((b) => b === 'ok')) throw new Error('node fetch: unexpected answer');
  return performance.now() - t0;
}

export async function run(log) {
  log(`http: ${CHECKS} http.get checks against a local server (${DELAY_MS} ms each): goroutines, sequential, node Promise.all`);
  const server = await healthServer();
  const par = workFile('http-checks-par.sloth');
  const seq = workFile('http-checks-seq.sloth');
  writeFileSync(par, workflow(server.port, true));
  writeFileSync(seq, workflow(server.port, false));
  const task = (report, name) => report.tasks[name].duration_ms;
  const warmMs = [];
  let r;
  try {
    r = await interleave(ROUNDS, {
      par: {
        once: async () => {
          const { report } = await runWorkflowFile(par, { timeoutMs: TIMEOUT });
          warmMs.push(task(report, 'warm'));
          return task(report, 'checks');
        },
      },
      seq: { once: async () => task((await runWorkflowFile(seq, { timeoutMs: TIMEOUT })).report, 'checks') },
      node: { once: () => nodePromiseAll(server.port) },
    });
  } finally {
    await server.close();
  }
  const p = stat(r.par.samples);
  const s = stat(r.seq.samples);
  const n = stat(r.node.samples);
  const w = stat(warmMs);
  const err = (x) => (x.error ? `error: ${x.error}` : '');
  const rows = [
    [`${CHECKS} x http.get in goroutines`, cell(p), ratio(s.med / p.med), err(r.par)],
    [`${CHECKS} x http.get one after the other`, cell(s), '1.00x', err(r.seq)],
    [`node: Promise.all of ${CHECKS} fetch (reference floor)`, cell(n), ratio(s.med / n.med), err(r.node)],
    ['warm-up task: goroutine threads start + 4 http.get (not in the times above)', cell(w), '', ''],
  ];
  const summary = [
    {
      benchmark: `${CHECKS} parallel http.get in goroutines (${DELAY_MS} ms server)`,
      sloth: ms(p.med),
      reference: `sequential ${ms(s.med)}; node Promise.all ${ms(n.med)}`,
      ratio: ratio(s.med / p.med),
      target: '~200 ms wall, not 4 s',
      met: Number.isFinite(p.med) ? p.med < 2 * DELAY_MS : undefined,
    },
  ];
  const notes = [
    `**http:** ${CHECKS} \`http.get\` calls against a node server on 127.0.0.1 that answers after ${DELAY_MS} ms take ${ms(p.med)} in goroutines ` +
      `(the checks task's duration_ms, threads already started), ${ms(s.med)} one after the other, and ${ms(n.med)} as Node's own Promise.all of fetch ` +
      `in the bench process: the goroutines add ${ms(p.med - n.med)} to the floor. Starting the goroutine threads and their first requests ` +
      `(the warm-up task) takes ${ms(w.med)} more, once per run.`,
  ];
  return {
    title: `http: ${CHECKS} parallel health checks`,
    headers: ['case', 'time (median, min–max)', 'vs sequential', 'note'],
    rows,
    summary,
    notes,
  };
}
