// Benchmark: a master restart under a fleet. N simulated agents (one process, one HTTP/2 connection each, the real
// agent's reconnection schedule with its default delays) are registered with a real master; the master is killed
// (SIGKILL) and started again on the same port, RESTARTS times in a row. Per restart: when the agents retried (the
// jitter should spread them), when each was registered again, and the busiest second.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpuSeconds, daemon, killAll, until } from '../lib/daemon.mjs';
import { masterClient, startMaster } from '../lib/fleet.mjs';
import { load1 } from '../lib/machine.mjs';
import { percentile } from '../lib/measure.mjs';
import { BENCH_DIR, WORK } from '../lib/paths.mjs';

const SIM_AGENTS = 1000;
const RESTARTS = 2;
const HEARTBEAT = '5s';
const TOKEN = 'bench-token-0123456789';
const WAIT_MS = 90_000;

const sec = (v) => `${(v / 1000).toFixed(2)} s`;

/**
 * Per agent, its first `event` line ("dial" or "registered") at or after `since`: the time in ms after `since`, and
 * for a dial the delay its schedule chose before it.
 */
function firstAfter(output, event, since) {
  const first = new Map();
  for (const m of output.matchAll(new RegExp(`^${event} (\\d+) (\\d+)(?: (\\d+))?$`, 'gm'))) {
    const t = Number(m[2]);
    if (t >= since && !first.has(m[1])) first.set(m[1], { at: t - since, delay: Number(m[3]) });
  }
  return [...first.values()];
}

/** How many agents are not registered now (their last line is not "registered"), and how many links ended in `output`. */
function fleetState(output) {
  const last = new Map();
  let ended = 0;
  for (const m of output.matchAll(/^(dial|registered|ended) (\d+) /gm)) {
    last.set(m[2], m[1]);
    if (m[1] === 'ended') ended++;
  }
  return { away: SIM_AGENTS - [...last.values()].filter((e) => e === 'registered').length, ended };
}

/** The most events in one whole second after the kill (second 0 = the first second after it). */
function busiestSecond(times) {
  const perSecond = new Map();
  for (const t of times) perSecond.set(Math.floor(t / 1000), (perSecond.get(Math.floor(t / 1000)) ?? 0) + 1);
  return Math.max(...perSecond.values());
}

const spreadText = (xs) => `p0 ${sec(percentile(xs, 0))}, p50 ${sec(percentile(xs, 50))}, p100 ${sec(percentile(xs, 100))}`;

export async function run(log) {
  mkdirSync(WORK, { recursive: true });
  const home = mkdtempSync(join(WORK, 'reconnect-'));
  const tokenFile = join(home, 'token');
  writeFileSync(tokenFile, TOKEN);
  const children = [];
  try {
    log(`reconnect: ${SIM_AGENTS} simulated agents, master killed and restarted ${RESTARTS} times`);
    let master = await startMaster(home, tokenFile, HEARTBEAT);
    children.push(master.child);
    const port = Number(new URL(master.url).port);
    const sim = daemon([join(BENCH_DIR, 'lib/agent-simulator.mjs'), master.url, TOKEN, String(SIM_AGENTS), '5000']);
    children.push(sim.child);
    await until(() => sim.output().includes(`ready ${SIM_AGENTS}`), WAIT_MS, `${SIM_AGENTS} agents to register`);
    const { controlClient } = await masterClient();

    const rounds = [];
    let settledMark = sim.output().length;
    for (let r = 1; r <= RESTARTS; r++) {
      // Kill only a settled fleet: every agent registered, none on its way back from an earlier drop.
      await until(() => fleetState(sim.output()).away === 0, WAIT_MS, `every agent to be registered before restart ${r}`);
      const droppedBefore = fleetState(sim.output().slice(settledMark)).ended;
      const mark = sim.output().length;
      const load = load1();
      const simCpu0 = cpuSeconds(sim.child.pid);
      const killedAt = Date.now();
      const exited = new Promise((resolve) => master.child.once('exit', resolve));
      master.child.kill('SIGKILL');
      await exited;
      master = await startMaster(home, tokenFile, HEARTBEAT, port);
      children.push(master.child);
      const listening = Date.now() - killedAt;
      await until(
        () => firstAfter(sim.output().slice(mark), 'registered', killedAt).length === SIM_AGENTS,
        WAIT_MS,
        `${SIM_AGENTS} agents to register again after restart ${r}`,
      );
      const backAt = Date.now();
      settledMark = sim.output().length;
      const masterCpu = cpuSeconds(master.child.pid);
      const simCpu = cpuSeconds(sim.child.pid) - simCpu0;
      const out = sim.output().slice(mark);
      const registered = firstAfter(out, 'registered', killedAt).map((x) => x.at);
      const dials = firstAfter(out, 'dial', killedAt);
      const { agents } = await controlClient({ address: master.url, token: TOKEN }).listAgents({});
      rounds.push({
        droppedBefore,
        load,
        listening,
        scheduled: dials.map((x) => x.delay),
        retries: dials.map((x) => x.at),
        registered,
        masterCpu,
        simCpu,
        cpu: `master ${masterCpu.toFixed(1)} s, simulator ${simCpu.toFixed(1)} s of CPU in ${sec(backAt - killedAt)}`,
        allBack: Math.max(...registered),
        busiest: busiestSecond(registered),
        busiestRetry: busiestSecond(dials.map((x) => x.at)),
        active: agents.filter((a) => a.status === 1).length,
      });
      log(`reconnect: restart ${r}: all ${SIM_AGENTS} back ${sec(Math.max(...registered))} after the kill`);
    }

    const rows = rounds.flatMap((x, i) => [
      [
        `restart ${i + 1}: time until all ${SIM_AGENTS} agents are registered again`,
        sec(x.allBack),
        `master listening again ${sec(x.listening)} after the kill; ${x.active}/${SIM_AGENTS} Active then; ${x.droppedBefore} links had dropped (and come back) since the previous kill`,
      ],
      [
        `restart ${i + 1}: the first retry's delay each agent's schedule chose`,
        spreadText(x.scheduled),
        "the agent's default: 5 s ±20% after a connection that had registered",
      ],
      [
        `restart ${i + 1}: each agent's first retry (spread)`,
        spreadText(x.retries),
        `busiest second: ${x.busiestRetry} of ${SIM_AGENTS} first retries; later than chosen by the simulator's own lag (${SIM_AGENTS} agents in one process)`,
      ],
      [
        `restart ${i + 1}: each agent registered again (spread)`,
        spreadText(x.registered),
        `busiest second: ${x.busiest} of ${SIM_AGENTS} registrations; ${x.cpu}; load ${x.load} at the kill`,
      ],
    ]);
    const worstBusiest = Math.max(...rounds.map((x) => x.busiest));
    const worstRetry = Math.max(...rounds.map((x) => x.busiestRetry));
    const each = (f) => rounds.map(f).join(' and ');
    return {
      title: `Reconnection: ${SIM_AGENTS} agents after a master restart (SIGKILL, same port, ${RESTARTS} in a row)`,
      headers: ['measure', 'result (after the kill)', 'note'],
      rows,
      summary: [
        {
          benchmark: `${SIM_AGENTS} agents back after a master restart`,
          sloth: rounds.map((x) => sec(x.allBack)).join(', '),
          reference: '–',
          ratio: '–',
          target: 'not all in the same second',
          met: worstRetry < SIM_AGENTS && rounds.every((x) => x.active === SIM_AGENTS),
        },
      ],
      notes: [
        `**reconnect:** ${SIM_AGENTS} simulated agents (one HTTP/2 connection each, from another process, reconnecting on the agent's own schedule and default delays) on a master killed with SIGKILL and started again on its port, ${RESTARTS} times in a row: ` +
          `all were registered again ${each((x) => sec(x.allBack))} after the kill (the master listening again after ${each((x) => sec(x.listening))}). ` +
          `The first-retry delays their schedules chose were ${each((x) => `${sec(percentile(x.scheduled, 0))}–${sec(percentile(x.scheduled, 100))}`)} (the initial 5 s ±20% at every restart), so at most ${worstRetry} of ${SIM_AGENTS} retried and ${worstBusiest} registered in any one second. ` +
          `The last first retry came ${each((x) => sec(percentile(x.retries, 100)))} after the kill, the last registration ${each((x) => sec(x.allBack))}: the rest is registration (CPU seconds, master / simulator: ${each((x) => `${x.masterCpu.toFixed(1)} / ${x.simCpu.toFixed(1)}`)}; load ${each((x) => x.load)} on this machine).`,
      ],
    };
  } finally {
    killAll(children);
  }
}
