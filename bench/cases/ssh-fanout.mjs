// Benchmark: agentless fan-out. A chain of 5 configuration tasks (a directory, then 4 files with file_ops), each on
// every one of N hosts reached over SSH (N sshd on 127.0.0.1), sloth-runner (`workflow run -i`, `:delegate_to` the
// inventory group, pooled ssh2 connections) vs Ansible over the same sshd (forks=32, pipelining, ControlPersist), for
// N = 8 and 32; from scratch (everything changed) and re-run (nothing to change). Plus a diagnostic: SSH channels
// (one remote command each) per host, counted from a DEBUG1 sshd's log.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { ansibleFiles, ansibleUnavailable, hostNames, runPlaybook } from '../lib/ansible-ssh.mjs';
import { interleave, median, stat } from '../lib/measure.mjs';
import { WORK } from '../lib/paths.mjs';
import { runWorkflowFile } from '../lib/sloth.mjs';
import { startSshHosts, stopSshHosts } from '../lib/ssh-hosts.mjs';
import { statCell as cell, ms, ratio } from '../lib/table.mjs';
import { sshFanoutFile, sshFanoutFiles } from '../lib/workflows.mjs';

const SIZES = [8, 32];
const TASKS = 5;
const ROUNDS = 3;
const SLOTH_PER_ROUND = 2; // a sloth run is much shorter than Ansible's: more samples for the same time
const FORKS = 32;
const SLOTH_TIMEOUT = 180_000;
const ANSIBLE_TIMEOUT = 600_000;
// Longer than the sloth runs between two Ansible runs, so every timed Ansible run finds its SSH masters open.
const CONTROL_PERSIST = '600s';
const GROUP = 'fleet';
const KINDS = { scratch: 'from scratch (every task changed)', rerun: 're-run, nothing to change' };

const errorOf = (e) => (e instanceof Error ? e.message : String(e));

/** sloth-runner's inventory: the N sshd as host01.., all in GROUP, as the current user with the hosts' key. */
function slothInventory(dir, ports, keyFile) {
  const names = hostNames(ports.length);
  const file = join(dir, 'inventory.yaml');
  writeFileSync(
    file,
    `defaults:\n  user: ${userInfo().username}\n  key_file: ${keyFile}\nhosts:\n${ports
      .map((p, i) => `  ${names[i]}: { address: 127.0.0.1, port: ${p}, groups: [${GROUP}] }`)
      .join('\n')}\n`,
  );
  return file;
}

/** Every host has its directory and files 2..tasks with their content and mode 0644 under root; throws if not. */
function checkFiles(root, n, tasks) {
  for (const host of hostNames(n)) {
    if (!statSync(join(root, host)).isDirectory()) throw new Error(`${join(root, host)} is not a directory`);
    for (let i = 2; i <= tasks; i++) {
      const f = sshFanoutFile(root, host, i);
      const text = readFileSync(f.path, 'utf8');
      if (text !== f.content)
        throw new Error(`${f.path}: content ${JSON.stringify(text)}, expected ${JSON.stringify(f.content)}`);
      const mode = statSync(f.path).mode & 0o777;
      if (mode !== 0o644) throw new Error(`${f.path}: mode ${mode.toString(8)}, expected 644`);
    }
  }
}

/** Per host: `tasks` ok, `changed` of them changed, none failed; throws naming the first host that differs. */
function checkRecap(recap, n, tasks, changed, who) {
  for (const host of hostNames(n)) {
    const r = recap[host];
    if (!r || r.ok !== tasks || r.changed !== changed || r.failed !== 0 || (r.unreachable ?? 0) !== 0)
      throw new Error(`${who}: ${host} recap ${JSON.stringify(r)}, expected ok=${tasks} changed=${changed} failed=0`);
  }
}

/** One sloth-runner run; `scratch` deletes the root first (untimed). Checks every task, host and file. */
async function slothOnce(side, n, tasks, scratch) {
  if (scratch) rmSync(side.root, { recursive: true, force: true });
  const s = await runWorkflowFile(side.file, {
    timeoutMs: SLOTH_TIMEOUT,
    args: ['-i', side.inventory, '--forks', String(FORKS)],
    env: { SLOTH_HOME: side.home },
  });
  const ts = Object.values(s.report.tasks ?? {});
  if (ts.length !== tasks) throw new Error(`expected ${tasks} tasks in the report, got ${ts.length}`);
  const perHost = [];
  for (const t of ts) {
    const on = Object.values(t.agents ?? {});
    if (t.status !== 'success' || on.length !== n || on.some((a) => a.status !== 'success'))
      throw new Error(`a task did not succeed on all ${n} hosts: ${JSON.stringify(t).slice(0, 300)}`);
    perHost.push(...on.map((a) => a.duration_ms));
  }
  checkRecap(s.report.recap ?? {}, n, tasks, scratch ? tasks : 0, 'sloth-runner');
  checkFiles(side.root, n, tasks);
  return { wallMs: s.wallMs, engineMs: s.engineMs, taskMs: median(ts.map((t) => t.duration_ms)), hostMs: median(perHost) };
}

/** One ansible-playbook run; `scratch` deletes the root first (untimed). Checks the recap and every file. */
async function ansibleOnce(side, n, tasks, scratch) {
  if (scratch) rmSync(side.root, { recursive: true, force: true });
  const r = await runPlaybook(side.dir, side.files, side.playbook, ANSIBLE_TIMEOUT);
  checkRecap(r.recap, n, tasks, scratch ? tasks : 0, 'ansible-playbook');
  checkFiles(side.root, n, tasks);
  return { wallMs: r.wallMs };
}

/** The two sides' files for n hosts (or 1 host, for the diagnostic) under `dir`, with `tasks` tasks. */
function sides(dir, name, hosts, tasks) {
  const slothRoot = join(dir, 'sloth-root');
  const ansibleRoot = join(dir, 'ansible-root');
  const f = sshFanoutFiles(name, GROUP, tasks, { slothRoot, ansibleRoot });
  const home = join(dir, 'sloth-home');
  mkdirSync(home, { recursive: true });
  return {
    sloth: { file: f.sloth, inventory: slothInventory(dir, hosts.ports, hosts.keyFile), home, root: slothRoot },
    ansible: {
      dir,
      files: ansibleFiles(dir, hosts.ports, hosts.keyFile, GROUP, { controlPersist: CONTROL_PERSIST }),
      playbook: f.playbook,
      root: ansibleRoot,
    },
  };
}

/**
 * Runs `fn(hosts, dir)` with n sshd (startSshHosts `options`) and a fresh short temp dir (the ControlPersist sockets
 * live there); resolves with `{ ...base, ...its result }`, or `{ ...base, error }` if anything threw. The sshd, their
 * sessions, the SSH masters and the dir are gone when it returns.
 */
async function withSshHosts(n, options, base, fn) {
  const dir = mkdtempSync('/tmp/ssf-');
  let hosts;
  try {
    hosts = await startSshHosts(n, dir, options);
    return { ...base, ...(await fn(hosts, dir)) };
  } catch (e) {
    return { ...base, error: errorOf(e) };
  } finally {
    if (hosts) await stopSshHosts(hosts.sshds, dir);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Both sides for n hosts, interleaved. */
function measure(n, log, unavailable) {
  log(`ssh-fanout ${n}: ${n} sshd on 127.0.0.1, cold runs (sloth-runner's first run; Ansible's opens its SSH masters)`);
  return withSshHosts(n, {}, { n }, async (hosts, dir) => {
    const out = {};
    const s = sides(dir, `${n}x${TASKS}`, hosts, TASKS);
    out.slothCold = await slothOnce(s.sloth, n, TASKS, true);
    const variants = {
      slothScratch: { perRound: SLOTH_PER_ROUND, once: () => slothOnce(s.sloth, n, TASKS, true) },
      slothRerun: { perRound: SLOTH_PER_ROUND, once: () => slothOnce(s.sloth, n, TASKS, false) },
    };
    if (!unavailable) {
      try {
        out.ansibleCold = await ansibleOnce(s.ansible, n, TASKS, true);
        variants.ansibleScratch = { once: () => ansibleOnce(s.ansible, n, TASKS, true) };
        variants.ansibleRerun = { once: () => ansibleOnce(s.ansible, n, TASKS, false) };
      } catch (e) {
        out.ansibleError = errorOf(e);
      }
    }
    log(
      `ssh-fanout ${n}: ${ROUNDS} rounds of sloth-runner x${SLOTH_PER_ROUND}${variants.ansibleScratch ? ' and ansible-playbook x1' : ''}, each from scratch then re-run`,
    );
    out.r = await interleave(ROUNDS, variants);
    return out;
  });
}

const sessions = (logs) => logs.join('').match(/server_input_channel_open: ctype session/g)?.length ?? 0;

/**
 * SSH channels each side opens on one host (a DEBUG1 sshd logs each): a run of task 1 only, and of all the tasks,
 * each from scratch and re-run; the difference, divided by the copies, is per file_ops.copy / Ansible copy task.
 */
function channels(log, unavailable) {
  log('ssh-fanout: SSH channels per host (1 sshd at LogLevel DEBUG1, untimed)');
  return withSshHosts(1, { logLevel: 'DEBUG1' }, {}, async (hosts, dir) => {
    const out = {};
    const one = sides(dir, 'channels-1', hosts, 1);
    const all = sides(dir, `channels-${TASKS}`, hosts, TASKS);
    const count = async (fn) => {
      const before = sessions(hosts.logs());
      await fn();
      // the sessions' log lines reach us through pipes: wait (bounded) until their count stops moving
      const t0 = Date.now();
      let last = -1;
      while (Date.now() - t0 < 2000) {
        const now = sessions(hosts.logs());
        if (now === last) break;
        last = now;
        await new Promise((r) => setTimeout(r, 200));
      }
      return sessions(hosts.logs()) - before;
    };
    const sidesOf = unavailable
      ? [['sloth', slothOnce]]
      : [
          ['sloth', slothOnce],
          ['ansible', ansibleOnce],
        ];
    for (const [name, once] of sidesOf) {
      out[name] = {
        oneScratch: await count(() => once(one[name], 1, 1, true)),
        oneRerun: await count(() => once(one[name], 1, 1, false)),
        allScratch: await count(() => once(all[name], 1, TASKS, true)),
        allRerun: await count(() => once(all[name], 1, TASKS, false)),
      };
    }
    return out;
  });
}

const med = (r, key) => median(r.samples.map((x) => x[key]));
const st = (r, key) => stat(r.samples.map((x) => x[key]));
const errCell = (r) => (r?.error ? ` (error: ${r.error})` : '');

function rowsFor(m, unavailable) {
  if (m.error) return [[`${m.n} hosts`, `error: ${m.error}`, '', '']];
  const rows = [];
  for (const [k, label] of Object.entries(KINDS)) {
    const s = m.r[`sloth${k === 'scratch' ? 'Scratch' : 'Rerun'}`];
    const a = m.r[`ansible${k === 'scratch' ? 'Scratch' : 'Rerun'}`];
    rows.push(
      [
        `sloth-runner, ${m.n} hosts x ${TASKS} tasks, ${label}: CLI wall`,
        cell(st(s, 'wallMs')) + errCell(s),
        k === 'scratch' ? ms(m.slothCold.wallMs) : '',
        'includes the CLI start-up and opening the SSH connections',
      ],
      [`  engine duration_ms`, cell(st(s, 'engineMs')), k === 'scratch' ? ms(m.slothCold.engineMs) : '', ''],
      [
        `  one fan-out task (all ${m.n} hosts)`,
        cell(st(s, 'taskMs')),
        k === 'scratch' ? ms(m.slothCold.taskMs) : '',
        `x ${TASKS} in a chain`,
      ],
      [
        `  one task body on one host`,
        cell(st(s, 'hostMs')),
        k === 'scratch' ? ms(m.slothCold.hostMs) : '',
        'median over hosts and tasks',
      ],
      [
        `ansible-playbook, ${m.n} hosts x ${TASKS} tasks, ${label}`,
        a ? cell(st(a, 'wallMs')) + errCell(a) : m.ansibleError ? `error: ${m.ansibleError}` : unavailable,
        k === 'scratch' && m.ansibleCold ? ms(m.ansibleCold.wallMs) : '',
        k === 'scratch'
          ? `forks=32, pipelining, ControlPersist=${CONTROL_PERSIST}; first run = cold (opens the SSH masters), not counted`
          : '',
      ],
    );
  }
  return rows;
}

function channelRows(c) {
  if (c.error) return [['SSH channels per host', `error: ${c.error}`, '', '']];
  const copies = TASKS - 1;
  return Object.entries(c)
    .filter(([k]) => k !== 'error')
    .map(([side, x]) => [
      `SSH channels on one host, ${side === 'sloth' ? 'sloth-runner' : 'ansible-playbook'}: whole run from scratch / re-run`,
      `${x.allScratch} / ${x.allRerun}`,
      `directory task alone: ${x.oneScratch} / ${x.oneRerun}`,
      `per copy task: ${((x.allScratch - x.oneScratch) / copies).toFixed(1)} from scratch, ${((x.allRerun - x.oneRerun) / copies).toFixed(1)} unchanged (difference / ${copies})`,
    ]);
}

function summaryFor(m, k, unavailable) {
  const benchmark = `ssh fan-out ${m.n} hosts x ${TASKS} file_ops tasks, ${KINDS[k]}, vs Ansible`;
  const target = m.n === 32 ? '>= 10x faster' : '(none set)';
  if (m.error) return { benchmark, sloth: 'error', reference: '–', ratio: '–', target, met: undefined };
  const key = k === 'scratch' ? 'Scratch' : 'Rerun';
  const s = med(m.r[`sloth${key}`], 'wallMs');
  const e = med(m.r[`sloth${key}`], 'engineMs');
  const ar = m.r[`ansible${key}`];
  const a = ar && !ar.error ? med(ar, 'wallMs') : Number.NaN;
  const faster = a / s;
  return {
    benchmark,
    sloth: `${ms(s)} (engine ${ms(e)})`,
    reference: Number.isFinite(a) ? ms(a) : m.ansibleError || ar?.error ? 'error' : unavailable,
    ratio: Number.isFinite(faster) ? `${ratio(1 / faster)} (${faster.toFixed(1)}x faster)` : '–',
    target,
    met: m.n === 32 && Number.isFinite(faster) ? faster >= 10 : undefined,
  };
}

export async function run(log) {
  mkdirSync(WORK, { recursive: true });
  const unavailable = ansibleUnavailable();
  const results = [];
  for (const n of SIZES) results.push(await measure(n, log, unavailable));
  const ch = await channels(log, unavailable);
  const line = (m) => {
    const k = (key) => m.r[`sloth${key}`];
    const ansible = (key) => (m.r[`ansible${key}`] ? ms(med(m.r[`ansible${key}`], 'wallMs')) : '–');
    return `${m.n} hosts: from scratch ${ms(med(k('Scratch'), 'wallMs'))} wall (engine ${ms(med(k('Scratch'), 'engineMs'))}, ~${ms(med(k('Scratch'), 'taskMs'))} per fan-out task) vs Ansible ${ansible('Scratch')}; re-run ${ms(med(k('Rerun'), 'wallMs'))} (engine ${ms(med(k('Rerun'), 'engineMs'))}) vs Ansible ${ansible('Rerun')}`;
  };
  return {
    title: `SSH fan-out: ${TASKS} chained file_ops tasks on N hosts over SSH (agentless), sloth-runner vs Ansible`,
    headers: ['measure', 'median (min–max, n)', 'first run (cold)', 'note'],
    rows: [...results.flatMap((m) => rowsFor(m, unavailable)), ...channelRows(ch)],
    summary: results.flatMap((m) => Object.keys(KINDS).map((k) => summaryFor(m, k, unavailable))),
    notes: [
      `**ssh-fanout:** ${TASKS} chained tasks on N hosts that are N \`sshd\` on 127.0.0.1 ports (one host key, one client key; all share this machine's filesystem, so each host has its own directory): task 1 a directory ROOT/HOST, tasks 2-${TASKS} each a file ROOT/HOST/file-i with its own content and mode 0644. sloth-runner: \`workflow run -i inventory.yaml --forks ${FORKS}\`, each task \`:delegate_to("${GROUP}")\` with one \`file_ops.file\`/\`file_ops.copy({ content = ... })\` call per host (the body runs in the CLI, the call acts over the run's pooled ssh2 connection); Ansible: the same tasks with \`file\` and \`copy: content=...\` (forks=32, pipelining, ControlPersist=${CONTROL_PERSIST}, no fact gathering; its first run opens the SSH masters and is not counted). From scratch deletes the root before each run (untimed); the re-run follows it. Every run is checked: per host ${TASKS} ok and ${TASKS} (from scratch) or 0 (re-run) changed, every file there with its content and mode. ` +
        results
          .filter((m) => !m.error)
          .map(line)
          .join('; '),
    ],
  };
}
