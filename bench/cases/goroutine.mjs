// Benchmark: the goroutine module. In one run: the README's 6-server deployment (4 steps x 500 ms) sequential vs with
// goroutines; 20 checks against a local HTTP server (exec.run("curl -s ...")) sequential vs with goroutines; 4 x fib(32)
// in the task vs goroutines on 1 thread vs on every thread; and the warm cost of one async + await round trip.

import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { availableParallelism, loadavg } from 'node:os';
import { failure, hasTool, interleave, runChild, stat } from '../lib/measure.mjs';
import { CLI, REPO, workFile } from '../lib/paths.mjs';
import { statCell as cell, ms, ratio } from '../lib/table.mjs';

const ROUNDS = 3;
const CHECKS = 20;
const CHECK_DELAY_MS = 200;
const FIB_N = 32;
const ROUND_TRIPS = 1000;
const TIMEOUT = 120_000;

/** Runs a generated workflow through the CLI; resolves with the JSON report's tasks. */
async function tasksOf(name, source, env = {}) {
  const file = workFile(name);
  writeFileSync(file, source);
  const r = await runChild(CLI, ['workflow', 'run', '-f', file, '--output', 'json'], {
    timeoutMs: TIMEOUT,
    cwd: REPO,
    env: { ...process.env, ...env },
  });
  const why = failure(r, `sloth-runner ${name}`);
  if (why) throw new Error(why);
  const report = JSON.parse(r.stdout);
  if (report.status !== 'success') throw new Error(`${name}: ${report.status} ${JSON.stringify(report.tasks)}`);
  return report.tasks;
}

const DEPLOY_STEPS = `local servers = { "web-01", "web-02", "web-03", "api-01", "api-02", "db-01" }
local function deploy(name)
  for _, step in ipairs({ "upload", "install", "restart", "health" }) do goroutine.sleep(500) end
  return name
end`;

const deploySequential = `${DEPLOY_STEPS}
task("deploy"):command(function() for _, s in ipairs(servers) do deploy(s) end end)`;

const deployParallel = `${DEPLOY_STEPS}
task("deploy"):command(function()
  local handles = {}
  for i, s in ipairs(servers) do handles[i] = goroutine.async(function() return deploy(s) end) end
  for _, r in ipairs(goroutine.await_all(handles)) do assert(r.success, r.error) end
end)`;

const checks = (port, parallel) => `local url = "http://127.0.0.1:${port}/health"
local function check(i) local r = exec.run("curl -s " .. url .. "?i=" .. i) assert(r.stdout == "ok", r.stdout) return i end
task("checks"):command(function()
  ${
    parallel
      ? `local handles = {}
  for i = 1, ${CHECKS} do handles[i] = goroutine.async(function() return check(i) end) end
  for _, r in ipairs(goroutine.await_all(handles)) do assert(r.success, r.error) end`
      : `for i = 1, ${CHECKS} do check(i) end`
  }
end)`;

const FIB = `local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end`;
const fibSequential = `${FIB}
task("fib"):command(function() for i = 1, 4 do assert(fib(${FIB_N}) == 2178309) end end)`;
// A warm-up task starts every thread and tiers up its WebAssembly first, so the fib task times CPU work only.
const fibParallel = `${FIB}
local warm = task("warm"):command(function()
  local hs = {}
  for i = 1, 8 do hs[i] = goroutine.async(function() return fib(22) end) end
  goroutine.await_all(hs)
end)
task("fib"):depends_on({ warm }):command(function()
  local handles = {}
  for i = 1, 4 do handles[i] = goroutine.async(function() return fib(${FIB_N}) end) end
  for _, r in ipairs(goroutine.await_all(handles)) do assert(r.success and r.value == 2178309, r.error) end
end)`;

const roundTrip = `task("rt"):command(function()
  for i = 1, 200 do goroutine.await(goroutine.async(function() return i end)) end
  local t0 = os.clock()
  for i = 1, ${ROUND_TRIPS} do
    local ok, v = goroutine.await(goroutine.async(function(x) return x + 1 end, i))
    assert(ok and v == i + 1)
  end
  return true, "ok", { per_call_ms = (os.clock() - t0) * 1000 / ${ROUND_TRIPS} }
end)`;

/** A local HTTP endpoint that answers "ok" after CHECK_DELAY_MS, like a slow health check. */
async function healthServer() {
  const server = createServer((_req, res) => setTimeout(() => res.end('ok'), CHECK_DELAY_MS));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: server.address().port, close: () => new Promise((resolve) => server.close(resolve)) };
}

export async function run(log) {
  const threads = availableParallelism();
  log('goroutine: 6-server deployment, sequential (about 12 s) and with goroutines');
  const deploySeq = await tasksOf('goroutine-deploy-seq.sloth', deploySequential).catch((e) => ({ error: e.message }));
  const deployPar = await interleave(ROUNDS, {
    par: { once: async () => (await tasksOf('goroutine-deploy-par.sloth', deployParallel)).deploy.duration_ms },
  });

  const haveCurl = hasTool('curl');
  let checkSeq = { samples: [], error: 'curl is not installed' };
  let checkPar = { samples: [], error: 'curl is not installed' };
  if (haveCurl) {
    log(`goroutine: ${CHECKS} curl checks against a local HTTP server (${CHECK_DELAY_MS} ms each), sequential and parallel`);
    const server = await healthServer();
    try {
      const r = await interleave(ROUNDS, {
        seq: { once: async () => (await tasksOf('goroutine-checks-seq.sloth', checks(server.port, false))).checks.duration_ms },
        par: { once: async () => (await tasksOf('goroutine-checks-par.sloth', checks(server.port, true))).checks.duration_ms },
      });
      checkSeq = r.seq;
      checkPar = r.par;
    } finally {
      await server.close();
    }
  }

  log(`goroutine: 4 x fib(${FIB_N}): in the task, goroutines on 1 thread, goroutines on ${threads} threads`);
  const fib = await interleave(ROUNDS, {
    task: { once: async () => (await tasksOf('goroutine-fib-seq.sloth', fibSequential)).fib.duration_ms },
    one: {
      once: async () => (await tasksOf('goroutine-fib-par.sloth', fibParallel, { SLOTH_GOROUTINE_THREADS: '1' })).fib.duration_ms,
    },
    pool: {
      once: async () =>
        (await tasksOf('goroutine-fib-par.sloth', fibParallel, { SLOTH_GOROUTINE_THREADS: String(threads) })).fib.duration_ms,
    },
  });

  log(`goroutine: ${ROUND_TRIPS} warm async + await round trips`);
  const rt = await interleave(ROUNDS, {
    rt: { once: async () => (await tasksOf('goroutine-roundtrip.sloth', roundTrip)).rt.output.per_call_ms },
  });

  const dSeq = deploySeq.deploy?.duration_ms ?? Number.NaN;
  const dPar = stat(deployPar.par.samples);
  const cSeq = stat(checkSeq.samples);
  const cPar = stat(checkPar.samples);
  const fTask = stat(fib.task.samples);
  const fOne = stat(fib.one.samples);
  const fPool = stat(fib.pool.samples);
  const rtMs = stat(rt.rt.samples);
  const err = (x) => (x?.error ? `error: ${x.error}` : '');
  const fibSpeedup = fTask.med / fPool.med;

  const rows = [
    ['6-server deployment (4 x 500 ms each), sequential', ms(dSeq), '1.00x', err(deploySeq)],
    ['6-server deployment, goroutines', cell(dPar), ratio(dSeq / dPar.med), err(deployPar.par)],
    [`${CHECKS} curl checks (${CHECK_DELAY_MS} ms each), sequential`, cell(cSeq), '1.00x', err(checkSeq)],
    [`${CHECKS} curl checks, goroutines`, cell(cPar), ratio(cSeq.med / cPar.med), err(checkPar)],
    [`4 x fib(${FIB_N}) in the task`, cell(fTask), '1.00x', err(fib.task)],
    [`4 x fib(${FIB_N}), goroutines on 1 thread`, cell(fOne), ratio(fTask.med / fOne.med), err(fib.one)],
    [`4 x fib(${FIB_N}), goroutines on ${threads} threads`, cell(fPool), ratio(fibSpeedup), err(fib.pool)],
    ['async + await round trip (warm, per call)', cell(rtMs), '', err(rt.rt)],
  ];
  const summary = [
    {
      benchmark: '6-server deployment: goroutines vs sequential',
      sloth: ms(dPar.med),
      reference: `sequential ${ms(dSeq)}`,
      ratio: ratio(dSeq / dPar.med),
      target: 'about 2 s vs 12 s',
      met: Number.isFinite(dPar.med) ? dPar.med <= 3000 : undefined,
    },
    {
      benchmark: `${CHECKS} curl checks: goroutines vs sequential`,
      sloth: ms(cPar.med),
      reference: `sequential ${ms(cSeq.med)}`,
      ratio: ratio(cSeq.med / cPar.med),
      target: 'parallel',
      met: Number.isFinite(cPar.med) ? cPar.med < cSeq.med / 4 : undefined,
    },
    {
      benchmark: `4 x fib(${FIB_N}): ${threads} threads vs the task`,
      sloth: ms(fPool.med),
      reference: `in the task ${ms(fTask.med)}`,
      ratio: ratio(fibSpeedup),
      target: `~1.4-1.5x on 2 cores`,
      met: undefined,
    },
    {
      benchmark: 'async + await round trip (warm)',
      sloth: ms(rtMs.med),
      reference: '–',
      ratio: '–',
      target: '< 1 ms',
      met: Number.isFinite(rtMs.med) ? rtMs.med < 1 : undefined,
    },
  ];
  const notes = [
    `**goroutine:** the deployment takes ${ms(dPar.med)} with goroutines against ${ms(dSeq)} sequentially (6 x 4 x 500 ms of goroutine.sleep). ` +
      `${haveCurl ? `${CHECKS} checks run \`exec.run("curl -s ...")\` against a node HTTP server on 127.0.0.1 that answers after ${CHECK_DELAY_MS} ms (child processes in goroutines; the http case times \`http.get\`): ${ms(cPar.med)} in goroutines vs ${ms(cSeq.med)} one after the other. ` : 'curl is not installed, so the HTTP checks were skipped. '}` +
      `4 x fib(${FIB_N}) (CPU only) take ${ms(fTask.med)} in the task, ${ms(fOne.med)} in goroutines on 1 thread and ${ms(fPool.med)} on ${threads} threads: ${ratio(fibSpeedup)}, ` +
      `against an ideal ${threads}x on ${threads} idle cores; other load on the machine (load ${loadavg()[0].toFixed(1)} at the end) takes from that first. ` +
      `One warm async + await round trip (encode, post to a thread, decode, run, encode, post back, decode) costs ${ms(rtMs.med)}.`,
  ];
  return {
    title: 'Goroutines: parallel work inside a task',
    headers: ['case', 'time (median, min–max)', 'speed-up', 'note'],
    rows,
    summary,
    notes,
  };
}
