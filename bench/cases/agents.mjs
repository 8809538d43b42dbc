// Benchmark: master and agents. The round trip of `agent exec` of /bin/true (through the master to an agent and
// back: RPC only, and the whole CLI command), an idle agent's memory, and the master's CPU and RSS while N
// simulated agents heartbeat every 5 s (each on its own connection, from another process).
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpuSeconds, daemon, killAll, until } from '../lib/daemon.mjs';
import { masterClient, SLOTH_BIN, startAgent, startMaster } from '../lib/fleet.mjs';
import { failure, median, percentile, runChild } from '../lib/measure.mjs';
import { BENCH_DIR, REPO, WORK } from '../lib/paths.mjs';
import { ms } from '../lib/table.mjs';

const RPC_RUNS = 300;
const CLI_RUNS = 10;
const SIM_AGENTS = 1000;
const HEARTBEAT_MS = 5000;
const CPU_WINDOW_MS = 30_000;
const TOKEN = 'bench-token-0123456789';

/** RSS and private (not shared with other processes) memory of a process, in MB. */
function memory(pid) {
  const kb = (text, key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? Number.NaN);
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  return {
    rss: kb(rollup, 'Rss') / 1024,
    priv: (kb(rollup, 'Private_Clean') + kb(rollup, 'Private_Dirty')) / 1024,
  };
}

const mb = (v) => (Number.isFinite(v) ? `${v.toFixed(1)} MB` : '–');

export async function run(log) {
  mkdirSync(WORK, { recursive: true });
  const home = mkdtempSync(join(WORK, 'agents-'));
  const tokenFile = join(home, 'token');
  writeFileSync(tokenFile, TOKEN);
  const children = [];
  try {
    // 1. exec round trip through one master and one agent.
    log(`agents: agent exec /bin/true x${RPC_RUNS} over RPC, x${CLI_RUNS} as CLI commands`);
    const master = await startMaster(home, tokenFile, '5s');
    children.push(master.child);
    const agent = startAgent('bench-01', master.url, tokenFile);
    children.push(agent.child);
    const { controlClient } = await masterClient();
    const c = controlClient({ address: master.url, token: TOKEN });
    await until(async () => (await c.listAgents({})).agents.length === 1, 30_000, 'the agent to register');
    // Idle: registered, no work yet (what an agent costs a machine that runs nothing).
    await new Promise((r) => setTimeout(r, 1000));
    const idleAgent = memory(agent.child.pid);
    const execOnce = async () => {
      const t0 = performance.now();
      let code;
      for await (const r of c.execCommand({ agent: 'bench-01', command: '/bin/true' }))
        if (r.msg.case === 'result') code = r.msg.value.exitCode;
      if (code !== 0) throw new Error(`/bin/true on the agent exited ${code}`);
      return performance.now() - t0;
    };
    for (let i = 0; i < 20; i++) await execOnce();
    const rpc = [];
    for (let i = 0; i < RPC_RUNS; i++) rpc.push(await execOnce());
    const cli = [];
    for (let i = 0; i < CLI_RUNS; i++) {
      const t0 = performance.now();
      const r = await runChild(
        SLOTH_BIN,
        ['agent', 'exec', 'bench-01', '/bin/true', '--master', master.url, '--token-file', tokenFile],
        {
          timeoutMs: 60_000,
          cwd: REPO,
          env: { SLOTH_HOME: home },
        },
      );
      const why = failure(r, 'sloth-runner agent exec');
      if (why) throw new Error(why);
      cli.push(performance.now() - t0);
    }
    const local = [];
    for (let i = 0; i < 50; i++) {
      const t0 = performance.now();
      await runChild('/bin/true', [], { timeoutMs: 10_000 });
      local.push(performance.now() - t0);
    }
    const agentMem = memory(agent.child.pid);
    const idleMaster = memory(master.child.pid);

    // 2. the master under SIM_AGENTS heartbeating agents.
    log(
      `agents: ${SIM_AGENTS} simulated agents heartbeating every ${HEARTBEAT_MS / 1000}s, master CPU over ${CPU_WINDOW_MS / 1000}s`,
    );
    const big = await startMaster(mkdtempSync(join(WORK, 'agents-sim-')), tokenFile, `${HEARTBEAT_MS}ms`);
    children.push(big.child);
    const sim = daemon([join(BENCH_DIR, 'lib/agent-simulator.mjs'), big.url, TOKEN, String(SIM_AGENTS), String(HEARTBEAT_MS)]);
    children.push(sim.child);
    const t0 = performance.now();
    await until(
      () => sim.output().includes(`ready ${SIM_AGENTS}`),
      180_000,
      `${SIM_AGENTS} agents to register\n${sim.output().slice(-2000)}`,
    );
    const connectMs = performance.now() - t0;
    // Let every agent send heartbeats for a while before measuring.
    await new Promise((r) => setTimeout(r, HEARTBEAT_MS + 1000));
    const cpu0 = cpuSeconds(big.child.pid);
    const w0 = performance.now();
    await new Promise((r) => setTimeout(r, CPU_WINDOW_MS));
    const cpuShare = (cpuSeconds(big.child.pid) - cpu0) / ((performance.now() - w0) / 1000);
    const loaded = memory(big.child.pid);
    const { agents } = await controlClient({ address: big.url, token: TOKEN }).listAgents({});
    const active = agents.filter((a) => a.status === 1).length;

    const rows = [
      [
        'agent exec /bin/true, RPC round trip (master -> agent -> master)',
        `p50 ${ms(percentile(rpc, 50))}, p99 ${ms(percentile(rpc, 99))} (n=${rpc.length})`,
        '',
      ],
      ['agent exec /bin/true, whole CLI command', `median ${ms(median(cli))} (n=${cli.length})`, 'includes the CLI start-up'],
      ['/bin/true spawned locally (reference)', `median ${ms(median(local))} (n=${local.length})`, ''],
      ['idle agent (sloth-agent) memory, registered, no work yet', `RSS ${mb(idleAgent.rss)}, private ${mb(idleAgent.priv)}`, ''],
      [
        `agent (sloth-agent) memory after ${RPC_RUNS + CLI_RUNS + 20} exec round trips`,
        `RSS ${mb(agentMem.rss)}, private ${mb(agentMem.priv)}`,
        '',
      ],
      ['master with 1 agent, memory', `RSS ${mb(idleMaster.rss)}, private ${mb(idleMaster.priv)}`, ''],
      [
        `master with ${SIM_AGENTS} agents heartbeating every ${HEARTBEAT_MS / 1000}s`,
        `CPU ${(cpuShare * 100).toFixed(1)}% of a core, RSS ${mb(loaded.rss)}`,
        `${active}/${SIM_AGENTS} Active; all registered in ${ms(connectMs)}`,
      ],
    ];
    return {
      title: 'Agents: agent exec round trip, agent memory, master under many agents',
      headers: ['measure', 'result', 'note'],
      rows,
      summary: [
        {
          benchmark: 'agent exec /bin/true (RPC p50)',
          sloth: ms(percentile(rpc, 50)),
          reference: `local spawn ${ms(median(local))}`,
          ratio: '–',
          target: '–',
          met: undefined,
        },
        {
          benchmark: `master CPU, ${SIM_AGENTS} agents heartbeating`,
          sloth: `${(cpuShare * 100).toFixed(1)}% of a core`,
          reference: '–',
          ratio: '–',
          target: '< 10% of a core',
          met: cpuShare < 0.1 && active === SIM_AGENTS,
        },
      ],
      notes: [
        `**agents:** an \`agent exec\` of /bin/true goes CLI -> master (a server stream) -> the agent's open stream -> spawn -> back: p50 ${ms(percentile(rpc, 50))} over RPC, against ${ms(median(local))} for spawning /bin/true locally. ` +
          `${SIM_AGENTS} simulated agents (one HTTP/2 connection each, from another process) heartbeating every ${HEARTBEAT_MS / 1000}s cost the master ${(cpuShare * 100).toFixed(1)}% of a core and ${mb(loaded.rss)} RSS; heartbeats ride the agents' streams and are written to SQLite in one transaction per sweep.`,
      ],
    };
  } finally {
    killAll(children);
  }
}
