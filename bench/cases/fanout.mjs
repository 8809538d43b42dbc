// Benchmark: fan-out. A chain of 5 tasks, each run on every one of N hosts, each `/bin/true`:
// sloth-runner (a master and N real sloth-agent processes on 127.0.0.1, tasks fanned out with :delegate_to)
// vs Ansible over real SSH (N sshd on 127.0.0.1, forks=32, pipelining, ControlPersist), for N = 8 and 32.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ansibleFiles, ansibleUnavailable, hostNames, runPlaybook } from '../lib/ansible-ssh.mjs';
import { alive, cpuSeconds, killAll, until } from '../lib/daemon.mjs';
import { masterClient, startAgent, startMaster } from '../lib/fleet.mjs';
import { interleave, maxOf, median, minOf } from '../lib/measure.mjs';
import { WORK } from '../lib/paths.mjs';
import { runWorkflowFile } from '../lib/sloth.mjs';
import { startSshHosts, stopSshHosts } from '../lib/ssh-hosts.mjs';
import { statCell as cell, ms, ratio } from '../lib/table.mjs';
import { fanoutPlaybook, fanoutWorkflow } from '../lib/workflows.mjs';

const SIZES = [8, 32];
const TASKS = 5;
const CMD = '/bin/true';
const ROUNDS = 3;
const SLOTH_PER_ROUND = 2; // a sloth run is ~10x shorter than Ansible's: more samples for the same time
const SLOTH_TIMEOUT = 120_000;
const ANSIBLE_TIMEOUT = 300_000;
const AGENTS_UP_TIMEOUT = 180_000; // 32 Node processes starting at once on 2 cores
const TOKEN = 'bench-fanout-token-0123456789';
const GROUP = 'fleet';

const errorOf = (e) => (e instanceof Error ? e.message : String(e));

/** A master and n agents named host01..; resolves once all n are registered and Active. */
async function slothFleet(n, home, children) {
  const tokenFile = join(home, 'token');
  writeFileSync(tokenFile, TOKEN);
  const master = await startMaster(join(home, 'master'), tokenFile, '5s');
  children.push(master.child);
  const t0 = performance.now();
  const agents = hostNames(n).map((name) => startAgent(name, master.url, tokenFile, { SLOTH_HOME: join(home, 'agents') }));
  children.push(...agents.map((a) => a.child));
  const { masterTransport, createClient, ControlService, Agent_Status } = await masterClient();
  const link = masterTransport({ address: master.url, token: TOKEN });
  try {
    const c = createClient(ControlService, link.transport);
    await until(
      async () => {
        const dead = agents.find((a) => !alive(a.child));
        if (dead) throw new Error(`an agent exited at start: ${dead.output().trim().slice(-500)}`);
        const { agents: listed } = await c.listAgents({});
        return listed.filter((a) => a.status === Agent_Status.ACTIVE).length === n;
      },
      AGENTS_UP_TIMEOUT,
      `${n} agents to be Active`,
    );
  } catch (e) {
    throw new Error(`${errorOf(e)}\nthe master's output:\n${master.output().slice(-2000)}`);
  } finally {
    link.close();
  }
  return {
    url: master.url,
    tokenFile,
    masterPid: master.child.pid,
    agentPids: agents.map((a) => a.child.pid),
    upMs: performance.now() - t0,
  };
}

const cpuOf = (pids) => pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);

/**
 * One `workflow run` of the fan-out file; checks that every task succeeded on every agent. Also the CPU the agents
 * and the master spent per delegated body (from /proc: unlike wall times, barely moved by other load).
 */
async function slothOnce(file, fleet, cliHome, n) {
  const agentCpu0 = cpuOf(fleet.agentPids);
  const masterCpu0 = cpuSeconds(fleet.masterPid);
  const s = await runWorkflowFile(file, {
    timeoutMs: SLOTH_TIMEOUT,
    args: ['--master', fleet.url, '--token-file', fleet.tokenFile],
    env: { SLOTH_HOME: cliHome },
  });
  const tasks = Object.values(s.report.tasks ?? {});
  if (tasks.length !== TASKS) throw new Error(`expected ${TASKS} tasks in the report, got ${tasks.length}`);
  const perAgent = [];
  for (const t of tasks) {
    const on = Object.values(t.agents ?? {});
    if (t.status !== 'success' || on.length !== n || on.some((a) => a.status !== 'success'))
      throw new Error(`a task did not succeed on all ${n} agents: ${JSON.stringify(t).slice(0, 300)}`);
    perAgent.push(...on.map((a) => a.duration_ms));
  }
  return {
    wallMs: s.wallMs,
    engineMs: s.engineMs,
    taskMs: median(tasks.map((t) => t.duration_ms)),
    agentMs: median(perAgent),
    agentCpuMs: ((cpuOf(fleet.agentPids) - agentCpu0) * 1000) / (n * TASKS),
    masterCpuMs: ((cpuSeconds(fleet.masterPid) - masterCpu0) * 1000) / (n * TASKS),
  };
}

/** One `ansible-playbook` run; checks the recap says every host ran all tasks. */
async function ansibleOnce(dir, files, playbook, n) {
  const r = await runPlaybook(dir, files, playbook, ANSIBLE_TIMEOUT);
  const done = Object.values(r.recap).filter((h) => h.ok === TASKS && h.unreachable === 0 && h.failed === 0).length;
  if (done !== n) throw new Error(`ansible-playbook: ${done}/${n} hosts ran all ${TASKS} tasks\n${r.stdout.slice(-1500)}`);
  return { wallMs: r.wallMs };
}

const stats = (r, key) => {
  const xs = r.samples.map((s) => s[key]);
  return { med: median(xs), lo: minOf(xs), hi: maxOf(xs), n: xs.length };
};

/** Both sides for n hosts; every child of the sloth fleet and the SSH hosts is gone when it returns. */
async function measure(n, log) {
  const home = mkdtempSync(join(WORK, `fanout-${n}-`));
  const cliHome = join(home, 'cli');
  const children = [];
  const sshDir = mkdtempSync('/tmp/sfo-'); // short: the ControlPersist sockets live here
  let sshds = [];
  const out = { n, unavailable: ansibleUnavailable() };
  try {
    log(`fanout ${n}: a master and ${n} sloth-agent processes`);
    const fleet = await slothFleet(n, home, children);
    out.agentsUpMs = fleet.upMs;
    const file = fanoutWorkflow(hostNames(n), TASKS, CMD);
    out.slothCold = await slothOnce(file, fleet, cliHome, n);
    const variants = { sloth: { perRound: SLOTH_PER_ROUND, once: () => slothOnce(file, fleet, cliHome, n) } };
    if (!out.unavailable) {
      try {
        log(`fanout ${n}: ${n} sshd on 127.0.0.1, then a cold ansible-playbook run (also the warm-up)`);
        const hosts = await startSshHosts(n, sshDir);
        sshds = hosts.sshds;
        const files = ansibleFiles(sshDir, hosts.ports, hosts.keyFile, GROUP);
        const playbook = fanoutPlaybook(GROUP, TASKS, CMD);
        out.ansibleCold = await ansibleOnce(sshDir, files, playbook, n);
        variants.ansible = { once: () => ansibleOnce(sshDir, files, playbook, n) };
      } catch (e) {
        out.ansibleError = errorOf(e);
      }
    }
    log(`fanout ${n}: ${ROUNDS} rounds of sloth-runner x${SLOTH_PER_ROUND}${variants.ansible ? ' and ansible-playbook x1' : ''}`);
    out.r = await interleave(ROUNDS, variants);
    if (out.r.ansible?.error) out.ansibleError = out.r.ansible.error;
  } catch (e) {
    out.error = errorOf(e);
  } finally {
    killAll(children);
    await stopSshHosts(sshds, sshDir);
    rmSync(sshDir, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  }
  return out;
}

function rowsFor(m) {
  if (m.error) return [[`${m.n} hosts`, `error: ${m.error}`, '', '']];
  const sw = stats(m.r.sloth, 'wallMs');
  const se = stats(m.r.sloth, 'engineMs');
  const st = stats(m.r.sloth, 'taskMs');
  const sa = stats(m.r.sloth, 'agentMs');
  const cpu = (x) => `agent ${ms(x.agentCpuMs)}, master ${ms(x.masterCpuMs)}`;
  const medCpu = {
    agentCpuMs: median(m.r.sloth.samples.map((x) => x.agentCpuMs)),
    masterCpuMs: median(m.r.sloth.samples.map((x) => x.masterCpuMs)),
  };
  const ansibleCell = m.r.ansible ? cell(stats(m.r.ansible, 'wallMs')) : m.unavailable;
  return [
    [
      `sloth-runner, ${m.n} agents x ${TASKS} tasks: CLI wall`,
      cell(sw),
      ms(m.slothCold.wallMs),
      m.r.sloth.error ? `error: ${m.r.sloth.error}` : 'includes the CLI start-up',
    ],
    [`sloth-runner, ${m.n} agents x ${TASKS} tasks: engine duration_ms`, cell(se), ms(m.slothCold.engineMs), ''],
    [
      '  one fan-out task (the CLI sends it to all agents, waits for all)',
      cell(st),
      ms(m.slothCold.taskMs),
      `x ${TASKS} in a chain`,
    ],
    ['  one delegated body on one agent (as the CLI sees it)', cell(sa), ms(m.slothCold.agentMs), 'median over agents and tasks'],
    [
      '  CPU per delegated body (user + system, from /proc)',
      cpu(medCpu),
      cpu(m.slothCold),
      `a step needs >= ${m.n} x that / 2 cores; the cold run includes each agent's first load of the Lua engine`,
    ],
    [`  ${m.n} agents started and Active (not timed in the rows above)`, ms(m.agentsUpMs), '', ''],
    [
      `ansible-playbook, ${m.n} sshd hosts x ${TASKS} tasks, warm ControlPersist`,
      m.ansibleError ? `error: ${m.ansibleError}` : ansibleCell,
      m.ansibleCold ? ms(m.ansibleCold.wallMs) : '–',
      'forks=32, pipelining, ControlPersist=60s; first run = cold (opens the SSH masters), not counted',
    ],
  ];
}

function summaryFor(m) {
  const benchmark = `fan-out ${m.n} agents x ${TASKS} tasks vs Ansible over SSH`;
  if (m.error) return { benchmark, sloth: 'error', reference: '–', ratio: '–', target: '>= 10x faster', met: undefined };
  const s = median(m.r.sloth.samples.map((x) => x.wallMs));
  const e = median(m.r.sloth.samples.map((x) => x.engineMs));
  const a = m.r.ansible && !m.ansibleError ? median(m.r.ansible.samples.map((x) => x.wallMs)) : Number.NaN;
  const faster = a / s;
  return {
    benchmark,
    sloth: `${ms(s)} (engine ${ms(e)})`,
    reference: Number.isFinite(a) ? ms(a) : m.ansibleError ? 'error' : m.unavailable,
    ratio: Number.isFinite(faster) ? `${ratio(1 / faster)} (${faster.toFixed(1)}x faster)` : '–',
    target: '>= 10x faster',
    met: Number.isFinite(faster) ? faster >= 10 : undefined,
  };
}

export async function run(log) {
  mkdirSync(WORK, { recursive: true });
  const results = [];
  for (const n of SIZES) results.push(await measure(n, log));
  const ok = results.filter((m) => !m.error);
  const line = (m) => {
    const s = median(m.r.sloth.samples.map((x) => x.wallMs));
    const e = median(m.r.sloth.samples.map((x) => x.engineMs));
    const t = median(m.r.sloth.samples.map((x) => x.taskMs));
    const a = median(m.r.sloth.samples.map((x) => x.agentCpuMs));
    return `${m.n} agents: ${ms(s)} wall, of which ${ms(e)} engine (${TASKS} fan-out steps of ~${ms(t)}, each needing ${m.n} x ${ms(a)} of agent CPU) and ~${ms(s - e)} outside the engine (CLI start-up, file load, the agent check, exit); the first run after the agents start took ${ms(m.slothCold.wallMs)}`;
  };
  return {
    title: `Fan-out: ${TASKS} chained tasks on N hosts, sloth-runner agents vs Ansible over SSH`,
    headers: ['measure', 'median (min–max, n)', 'first run (cold)', 'note'],
    rows: results.flatMap(rowsFor),
    summary: results.map(summaryFor),
    notes: [
      `**fanout:** a workflow of ${TASKS} tasks, each depending on the previous one (like Ansible's linear strategy), each fanned out with \`:delegate_to({host01..hostN})\` to N real \`sloth-agent\` processes on this machine, each body \`exec.run("${CMD}")\`; timed is the whole \`sloth-runner workflow run --output json\` (its wall time and its engine \`duration_ms\`), with the master and agents already up (their start-up is excluded). ` +
        `Ansible runs the same ${TASKS} \`command: ${CMD}\` tasks on N hosts that are N \`sshd\` on 127.0.0.1 ports (forks=32, pipelining, ControlPersist=60s, no fact gathering); its first run opens the SSH connections and is reported as "cold" but not counted, later runs reuse them (Ansible's best case). ` +
        `Both sides run on the same 2 cores as their "hosts", so a fan-out step costs N x the per-body CPU divided by 2 cores. ${ok.map(line).join('; ')}. ` +
        `For the first body of a run an agent writes the sent files to a temp directory and loads the file into the Lua sandbox it made while idle after the previous run (modules bound: that was about two thirds of loading a run, ~9 of ~12 ms CPU per agent); the run's later bodies reuse it (the tasks of a run share one Lua state, as on the machine that runs the workflow). Each body then runs ${CMD}, started by the agent's spawn helper once the agent has run a few commands (forking from the ~100 MB agent itself took ~3 ms per command); ` +
        `the first task an agent gets also loads the Lua engine (lazily, so an idle agent stays small), which is why the cold run is several times slower with every agent compiling it at once.`,
    ],
  };
}
