// Benchmark 1: 500 tasks each exec.run("/bin/true") vs a shell loop vs an Ansible playbook.
import { mkdirSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { maxRssMb, RSS_PRELOAD, readProfile, selfTimes } from '../lib/cpuprofile.mjs';
import { failure, hasTool, interleave, maxOf, median, minOf, runChild } from '../lib/measure.mjs';
import { skipAnsible } from '../lib/options.mjs';
import { BENCH_DIR, REPO, workFile } from '../lib/paths.mjs';
import { nodeWarnings, runWorkflowFile } from '../lib/sloth.mjs';
import { statCell as cell, ms, ratio } from '../lib/table.mjs';
import { ansiblePlaybook, execTasks } from '../lib/workflows.mjs';

const N = 500;
const ROUNDS = 3;
const SLOTH_TIMEOUT = 120_000;
const ANSIBLE_TIMEOUT = 400_000;
const CLI_JS = join(REPO, 'apps', 'cli', 'bin', 'run.js');

function slothVariant(chain, warnings) {
  const file = execTasks(N, '/bin/true', { chain });
  return {
    once: async () => {
      const s = await runWorkflowFile(file, { timeoutMs: SLOTH_TIMEOUT });
      for (const w of nodeWarnings(s.stderr)) warnings.add(w);
      const n = Object.keys(s.report.tasks ?? {}).length;
      if (n !== N) throw new Error(`expected ${N} tasks in the report, got ${n}`);
      return s;
    },
  };
}

const shellVariant = {
  perRound: 2, // cheap; more samples
  once: async () => {
    const r = await runChild('bash', ['-c', `for i in $(seq ${N}); do /bin/true; done`], { timeoutMs: 60_000 });
    const why = failure(r, 'bash loop');
    if (why) throw new Error(why);
    return { wallMs: r.wallMs };
  },
};

/** Runs bench/lib/spawn-loop.mjs in MODE (seq | concurrent | runprocess); also records its peak RSS. */
async function spawnLoop(mode) {
  const script = join(BENCH_DIR, 'lib', 'spawn-loop.mjs');
  const r = await runChild(process.execPath, ['--import', RSS_PRELOAD, script, mode, String(N)], { timeoutMs: 60_000 });
  const why = failure(r, `spawn-loop ${mode}`);
  if (why) throw new Error(why);
  const [inner, inSpawn] = r.stdout.trim().split(/\s+/).map(Number);
  return { innerMs: inner, inSpawnMs: inSpawn, rssMb: maxRssMb(r.stderr) };
}
const loopVariant = (mode) => ({ once: () => spawnLoop(mode) });

/** One run of the chain under --cpu-prof: how much of it is spent inside ChildProcess.spawn itself, and the peak RSS. */
async function profiledChain(file) {
  const dir = workFile('cpu-prof-exec-chain');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const args = [
    '--cpu-prof',
    '--cpu-prof-dir',
    dir,
    '--import',
    RSS_PRELOAD,
    CLI_JS,
    'workflow',
    'run',
    '-f',
    file,
    '--output',
    'json',
  ];
  const r = await runChild(process.execPath, args, { cwd: REPO, timeoutMs: SLOTH_TIMEOUT });
  const why = failure(r, 'profiled sloth-runner');
  if (why) throw new Error(why);
  const t = selfTimes(readProfile(dir));
  return {
    totalMs: t.totalMs,
    spawnMs: t.ms((k) => k.startsWith('ChildProcess.spawn node:internal/child_process')),
    idleMs: t.ms((k) => k.startsWith('(idle)')),
    rssMb: maxRssMb(r.stderr),
  };
}

async function ansible() {
  if (skipAnsible) return { status: 'skipped (BENCH_SKIP_ANSIBLE=1)' };
  if (!hasTool('ansible-playbook')) return { status: 'not installed' };
  const playbook = ansiblePlaybook(N);
  const r = await runChild('ansible-playbook', ['-i', 'localhost,', '-c', 'local', playbook], {
    timeoutMs: ANSIBLE_TIMEOUT,
    env: { ...process.env, ANSIBLE_NOCOLOR: '1', ANSIBLE_RETRY_FILES_ENABLED: '0' },
  });
  const why = failure(r, 'ansible-playbook');
  if (why) return { status: `failed: ${why}` };
  return { status: 'ok', wallMs: r.wallMs };
}

const stats = (r, key) => {
  const xs = r.samples.map((s) => s[key]);
  return { med: median(xs), lo: minOf(xs), hi: maxOf(xs), n: xs.length };
};
const perCall = (x) => (Number.isFinite(x) ? ms(x / N) : '–');
const err = (r) => (r.error ? `error: ${r.error}` : '');

export async function run(log) {
  const warnings = new Set();
  log(
    `exec: ${ROUNDS} rounds of: sloth-runner ${N} independent, ${N}-task chain, bash loop x2, node spawn floor (sequential, concurrent), runProcess loop`,
  );
  const r = await interleave(ROUNDS, {
    indep: slothVariant(false, warnings),
    chain: slothVariant(true, warnings),
    shell: shellVariant,
    floorSeq: loopVariant('seq'),
    floorConc: loopVariant('concurrent'),
    runProcess: loopVariant('runprocess'),
  });
  log('exec: one profiled chain run (--cpu-prof)');
  let prof;
  try {
    prof = await profiledChain(execTasks(N, '/bin/true', { chain: true }));
  } catch (e) {
    prof = { error: e instanceof Error ? e.message : String(e) };
  }
  log('exec: ansible-playbook x1 (the slow one)');
  const ans = await ansible();

  const iw = stats(r.indep, 'wallMs');
  const ie = stats(r.indep, 'engineMs');
  const cw = stats(r.chain, 'wallMs');
  const ce = stats(r.chain, 'engineMs');
  const sh = stats(r.shell, 'wallMs');
  const fs = stats(r.floorSeq, 'innerMs');
  const fc = stats(r.floorConc, 'innerMs');
  const rp = stats(r.runProcess, 'innerMs');
  const fsIn = stats(r.floorSeq, 'inSpawnMs');
  const floorRss = median(r.floorSeq.samples.map((x) => x.rssMb));

  const rows = [
    [
      'sloth-runner, 500 independent tasks (default max_parallel: all at once)',
      cell(iw),
      cell(ie),
      perCall(ie.med),
      err(r.indep),
    ],
    ['sloth-runner, 500-task chain', cell(cw), cell(ce), perCall(ce.med), err(r.chain)],
    ['bash loop of 500 /bin/true (reference)', cell(sh), '–', perCall(sh.med), err(r.shell)],
    [
      'diagnostic: node spawns /bin/true 500x, one at a time (floor for the chain)',
      '–',
      cell(fs),
      perCall(fs.med),
      err(r.floorSeq),
    ],
    [
      'diagnostic: node spawns /bin/true 500x, all at once (floor for independent)',
      '–',
      cell(fc),
      perCall(fc.med),
      err(r.floorConc),
    ],
    [
      'diagnostic: @sloth/core runProcess("/bin/true") 500x, one at a time (what exec.run calls)',
      '–',
      cell(rp),
      perCall(rp.med),
      err(r.runProcess),
    ],
    prof.error
      ? ['diagnostic: profiled chain run', '–', '–', '–', `error: ${prof.error}`]
      : [
          'diagnostic: time inside the synchronous spawn() call (fork+exec): sloth-runner chain (cpu profile, n=1) / bare node, one at a time',
          '–',
          `${ms(prof.spawnMs)} / ${ms(fsIn.med)}`,
          `${perCall(prof.spawnMs)} / ${perCall(fsIn.med)}`,
          `peak RSS ${Math.round(prof.rssMb)} MB / ${Math.round(floorRss)} MB`,
        ],
    [
      'ansible-playbook, 500 command tasks, local (reference)',
      ans.status === 'ok' ? ms(ans.wallMs) : ans.status,
      '–',
      ans.status === 'ok' ? perCall(ans.wallMs) : '–',
      ans.status === 'ok' ? 'n=1' : '',
    ],
  ];

  const vsShellWall = iw.med / sh.med;
  const vsShellEngine = ie.med / sh.med;
  const vsAnsible = ans.status === 'ok' ? ans.wallMs / iw.med : Number.NaN;
  const summary = [
    {
      benchmark: '500 x exec /bin/true, CLI wall vs bash loop',
      sloth: ms(iw.med),
      reference: `bash loop ${ms(sh.med)}`,
      ratio: ratio(vsShellWall),
      target: '<= 1.5x',
      met: Number.isFinite(vsShellWall) ? vsShellWall <= 1.5 : undefined,
    },
    {
      benchmark: '500 x exec /bin/true, engine duration_ms vs bash loop',
      sloth: ms(ie.med),
      reference: `bash loop ${ms(sh.med)}`,
      ratio: ratio(vsShellEngine),
      target: '<= 1.5x',
      met: Number.isFinite(vsShellEngine) ? vsShellEngine <= 1.5 : undefined,
    },
    {
      benchmark: '500 x exec /bin/true, CLI wall vs Ansible',
      sloth: ms(iw.med),
      reference: ans.status === 'ok' ? `ansible ${ms(ans.wallMs)}` : `ansible: ${ans.status}`,
      ratio: Number.isFinite(vsAnsible) ? `${ratio(1 / vsAnsible)} (${vsAnsible.toFixed(1)}x faster)` : '–',
      target: '>= 50x faster',
      met: Number.isFinite(vsAnsible) ? vsAnsible >= 50 : undefined,
    },
  ];

  const cores = availableParallelism();
  const notes = [];
  const floorVsShell = fc.med / sh.med;
  const engineOverFloor = ie.med - fc.med;
  notes.push(
    `**500 x exec vs bash loop:** the CLI took ${ms(iw.med)} wall (engine duration_ms ${ms(ie.med)}, ${perCall(ie.med)} per task) against ${ms(sh.med)} for the bash loop: ${ratio(vsShellWall)} wall, ${ratio(vsShellEngine)} engine only; the 1.5x target is ${vsShellWall <= 1.5 ? 'met' : 'missed'} on wall time${vsShellEngine <= 1.5 && vsShellWall > 1.5 ? ` and met by the engine time alone (the ${ms(iw.med - ie.med)} difference is starting the CLI, loading the file and writing the report)` : ''}. ` +
      `Each exec.run spawns \`/bin/true\` from Node (a plain command line needs no shell). Node alone, doing only that 500 times all at once, needs ${ms(fc.med)} (${ratio(floorVsShell)} the bash loop; one at a time ${ms(fs.med)}): spawning from a large Node process costs more than bash forking /bin/true. ` +
      (floorVsShell > 1.5
        ? 'So a scheduler adding nothing on top of child_process.spawn would already miss 1.5x on this machine. '
        : `So the spawn floor alone is within 1.5x of the shell loop here; the gap comes from the engine. `) +
      (engineOverFloor > 0.1 * fc.med
        ? `The engine adds ${ms(engineOverFloor)} (${perCall(engineOverFloor)} per task) over that floor: its per-task work (Lua thread, module call, capture, reporting).`
        : 'The engine adds nothing measurable over that floor (within run-to-run noise).'),
  );
  const gain = 1 - ie.med / ce.med;
  notes.push(
    `**Chain vs independent:** the 500-task chain took ${ms(ce.med)} in the engine, ${perCall(ce.med)} per task, against ${perCall(fs.med)} for a bare Node spawn one at a time and ${perCall(rp.med)} for @sloth/core's runProcess alone; ` +
      `so per chained exec task about ${ms((ce.med - rp.med) / N)} goes to the path around runProcess inside the CLI (Lua, exec module, scheduler, the trip through the spawn helper) and ${ms((rp.med - fs.med) / N)} to runProcess over a bare spawn. The independent tasks took ${ms(ie.med)}: ` +
      (gain > 0.05
        ? `running them concurrently saves ${Math.round(100 * gain)}% on ${cores} cores.`
        : gain < -0.05
          ? `running them concurrently costs ${Math.round(-100 * gain)}% (concurrent spawns contend on ${cores} cores).`
          : 'about the same.'),
  );
  if (!prof.error)
    notes.push(
      `**Where the chain's time goes** (one run under node --cpu-prof): ${ms(prof.spawnMs)} of ${ms(prof.totalMs)} sampled in the CLI process is inside ChildProcess.spawn itself ` +
        `(its first few commands, and starting the spawn helper that starts the rest: see the README's Architecture section), ${ms(prof.idleMs)} idle waiting for children, and ${ms(prof.totalMs - prof.spawnMs - prof.idleMs)} everything else (CLI start-up, Lua, exec module, scheduler, GC, report). ` +
        `fork() copies the parent's page tables, so spawn() slows as the parent grows (peak RSS ${Math.round(prof.rssMb)} MB for the CLI vs ${Math.round(floorRss)} MB for the bare script, whose spawn() takes ${perCall(fsIn.med)}): ` +
        'that is why commands are started by a small helper process rather than by the CLI itself.',
    );
  notes.push(
    ans.status === 'ok'
      ? `**vs Ansible:** ansible-playbook took ${ms(ans.wallMs)} for the same 500 commands (one run, ~${perCall(ans.wallMs)} per task), ${vsAnsible.toFixed(1)}x the sloth-runner CLI's wall time; the >= 50x target is ${vsAnsible >= 50 ? 'met' : `missed: it needs <= ${ms(ans.wallMs / 50)} for all 500, and the spawn floor above (${ms(fc.med)}) plus the CLI's fixed start-up leave little room`}` +
          (Math.abs(vsAnsible / 50 - 1) < 0.2
            ? `. It is close to the line: with one Ansible run and the CLI's spread of ${ms(iw.lo)}–${ms(iw.hi)} the ratio spans ${(ans.wallMs / iw.hi).toFixed(1)}x–${(ans.wallMs / iw.lo).toFixed(1)}x, so treat it as borderline (machine load moves it either way).`
            : '.')
      : `**vs Ansible:** ${ans.status}; no comparison this run.`,
  );
  if (warnings.size)
    notes.push(
      `The CLI printed Node warnings on stderr during the exec runs: ${[...warnings].join(', ')} (not a timing issue, but worth fixing).`,
    );

  return {
    title: '1. 500 x exec.run("/bin/true")',
    headers: ['case', 'CLI wall (median, min–max)', 'engine duration_ms / inner time', 'per task', 'note'],
    rows,
    summary,
    notes,
  };
}
