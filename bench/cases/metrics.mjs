// Benchmark: a Prometheus scrape of the master's /metrics (--dashboard-port) while 1,000 simulated agents are
// connected and heartbeating: the time from request to the whole body, as a scraper sees it.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { daemon, killAll, until } from '../lib/daemon.mjs';
import { startMaster } from '../lib/fleet.mjs';
import { load1 } from '../lib/machine.mjs';
import { percentile } from '../lib/measure.mjs';
import { BENCH_DIR, WORK } from '../lib/paths.mjs';
import { ms } from '../lib/table.mjs';

const SIM_AGENTS = 1000;
const HEARTBEAT_MS = 5000;
const SCRAPES = 200;
const TARGET_MS = 50;
const TOKEN = 'bench-token-0123456789';

export async function run(log) {
  mkdirSync(WORK, { recursive: true });
  const home = mkdtempSync(join(WORK, 'metrics-'));
  const tokenFile = join(home, 'token');
  writeFileSync(tokenFile, TOKEN);
  const children = [];
  try {
    log(`metrics: ${SIM_AGENTS} simulated agents, then ${SCRAPES} scrapes of /metrics`);
    const master = await startMaster(home, tokenFile, `${HEARTBEAT_MS}ms`, 0, ['--dashboard-port', '0']);
    children.push(master.child);
    await until(() => /metrics on (\S+)\/metrics/.test(master.output()), 30_000, `the metrics port\n${master.output()}`);
    const base = /metrics on (\S+)\/metrics/.exec(master.output())[1];
    const sim = daemon([join(BENCH_DIR, 'lib/agent-simulator.mjs'), master.url, TOKEN, String(SIM_AGENTS), String(HEARTBEAT_MS)]);
    children.push(sim.child);
    await until(() => sim.output().includes(`ready ${SIM_AGENTS}`), 180_000, `${SIM_AGENTS} agents to register`);
    const scrape = async () => {
      const t0 = performance.now();
      const res = await fetch(`${base}/metrics`);
      const body = await res.text();
      if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
      return { ms: performance.now() - t0, body };
    };
    for (let i = 0; i < 20; i++) await scrape();
    const times = [];
    let last = '';
    for (let i = 0; i < SCRAPES; i++) {
      const r = await scrape();
      times.push(r.ms);
      last = r.body;
    }
    const active = Number(/^sloth_agents\{status="active"\} (\d+)/m.exec(last)?.[1]);
    if (active !== SIM_AGENTS) throw new Error(`/metrics says ${active} active agents, not ${SIM_AGENTS}`);
    const p50 = percentile(times, 50);
    const p95 = percentile(times, 95);
    const load = load1();
    return {
      title: `/metrics scrape with ${SIM_AGENTS} agents (measured alone, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, load average ${load} on ${availableParallelism()} cores)`,
      headers: ['measure', 'result', 'note'],
      rows: [
        [
          `GET /metrics of the master, ${SIM_AGENTS} agents heartbeating every ${HEARTBEAT_MS / 1000}s`,
          `p50 ${ms(p50)}, p95 ${ms(p95)}, max ${ms(Math.max(...times))} (n=${SCRAPES})`,
          `${(last.length / 1024).toFixed(1)} KiB; sloth_agents{status="active"} ${active}`,
        ],
      ],
      summary: [
        {
          benchmark: `/metrics scrape, ${SIM_AGENTS} agents (p95)`,
          sloth: ms(p95),
          reference: '–',
          ratio: '–',
          target: `< ${TARGET_MS} ms`,
          met: p95 < TARGET_MS,
        },
      ],
      notes: [
        `**metrics:** a scrape reads the agents' live status from the master's memory and one count of the registry, the queue depth from two partial indexes, and formats every family: p95 ${ms(p95)} with ${SIM_AGENTS} agents connected.`,
      ],
    };
  } finally {
    killAll(children);
  }
}
