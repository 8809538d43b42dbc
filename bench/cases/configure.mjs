// Benchmark: 100 managed files (file_ops: 25 directories, 25 copies, 25 templates, 25 lineinfile), 10 users
// (user.create) and 10 packages from a private apt repository (pkg.install) applied from scratch, re-applied with
// nothing to change, and in --check mode; vs ansible-playbook doing the same (file, copy, template, lineinfile, user,
// apt), locally. Without root or apt the users and packages are left out and said so.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { differences, moved, snapshot } from '../lib/configure-files.mjs';
import { configureSystem, systemUnavailable } from '../lib/configure-system.mjs';
import { failure, hasTool, maxOf, median, minOf, runChild } from '../lib/measure.mjs';
import { skipAnsible } from '../lib/options.mjs';
import { WORK } from '../lib/paths.mjs';
import { runWorkflowFile } from '../lib/sloth.mjs';
import { statCell as cell, ms, ratio } from '../lib/table.mjs';
import { CONFIGURE_USER, configureFiles, noopChain } from '../lib/workflows.mjs';

const PER = 25; // directories; each gets one copied, one templated and one lineinfile'd file
const FILES = 4 * PER;
const SYSTEM = 10; // users, and as many packages
const FILE_TASKS = ['dirs', 'copies', 'templates', 'lines'];
const ROUNDS = 5;
const SLOTH_TIMEOUT = 120_000;
const ANSIBLE_TIMEOUT = 600_000;
const TARGET = 30;
const ROWS = [
  ['scratch', 'from scratch (every resource changed)'],
  ['again', 're-applied, nothing to change'],
  ['check', '--check after the re-apply'],
];
// The interpreter Ansible's apt module needs python3-apt in (Debian's; a pyenv or venv python may come first on PATH).
const SYSTEM_PYTHON = '/usr/bin/python3';

/** Checks a sloth-runner report: every task of `tasks`, each changed = `changed`, and `count` changes in all. */
function checkReport(report, { tasks, changed, count, checkMode }) {
  if (report.check_mode !== checkMode) throw new Error(`report says check_mode ${report.check_mode}, expected ${checkMode}`);
  let total = 0;
  for (const name of tasks) {
    const t = report.tasks?.[name];
    if (!t) throw new Error(`task ${name} missing from the report`);
    if (t.changed !== changed) throw new Error(`task ${name} reported changed=${t.changed}, expected ${changed}`);
    total += t.changes?.length ?? 0;
  }
  if (total !== count) throw new Error(`${total} changes reported, expected ${count}`);
}

/** A fresh temp root for one from-scratch run. */
const freshRoot = (what) => mkdtempSync(join(WORK, `configure-${what}-`));

/** Runs `fn` with the watch of `sys` (apt's history, account files) around it; resolves with fn's result and what it saw. */
async function watched(sys, fn) {
  const stop = sys?.watch();
  const result = await fn();
  return { result, accountsTouched: stop ? stop().accountsTouched : false };
}

async function slothRounds(file, emptyFile, c, log) {
  const home = mkdtempSync(join(WORK, 'configure-home-'));
  const env = c.sys ? { APT_CONFIG: c.sys.aptConfig } : undefined;
  const sloth = (root, stack, extra = []) =>
    runWorkflowFile(file, {
      timeoutMs: SLOTH_TIMEOUT,
      args: ['--param', `root=${root}`, '--data-dir', home, '--stack', stack, ...extra],
      env,
    });
  const empty = () => runWorkflowFile(emptyFile, { timeoutMs: SLOTH_TIMEOUT, args: ['--data-dir', home] });
  const out = {
    scratch: [],
    again: [],
    check: [],
    empty: [],
    errors: {},
    moved: { again: [], check: [] },
    accounts: { again: 0, check: 0 },
    lastRoot: undefined,
    system: undefined,
  };
  const sample = (s) => ({
    wallMs: s.wallMs,
    engineMs: s.engineMs,
    tasks: Object.fromEntries(c.tasks.map((t) => [t, s.report.tasks[t].duration_ms])),
  });
  let step = 'empty';
  try {
    await empty(); // untimed: creates the data directory's database
    for (let round = 0; round < ROUNDS; round++) {
      log(`configure: sloth-runner round ${round + 1}/${ROUNDS}`);
      step = 'empty';
      out.empty.push(await empty());
      if (out.lastRoot) rmSync(out.lastRoot, { recursive: true, force: true });
      step = 'scratch';
      c.sys?.reset(); // untimed: no users, no packages
      const root = freshRoot('sloth');
      out.lastRoot = root;
      const stack = `configure-${round}`;
      const s1 = await sloth(root, stack);
      checkReport(s1.report, { tasks: c.tasks, changed: true, count: c.resources, checkMode: false });
      const snap = snapshot(root, PER);
      c.sys?.expectConfigured(CONFIGURE_USER.shell);
      out.scratch.push(sample(s1));
      for (const [key, extra] of [
        ['again', []],
        ['check', ['--check']],
      ]) {
        step = key;
        const { result: s, accountsTouched } = await watched(c.sys, () => sloth(root, stack, extra));
        checkReport(s.report, { tasks: c.tasks, changed: false, count: 0, checkMode: key === 'check' });
        const m = moved(snap, snapshot(root, PER));
        if (m.written) throw new Error(`${m.written} of ${FILES} managed paths got a new mtime or inode`);
        out[key].push(sample(s));
        out.moved[key].push(m.ctime);
        if (accountsTouched) out.accounts[key]++;
      }
    }
    out.system = c.sys?.state();
  } catch (e) {
    out.errors[step] = e instanceof Error ? e.message : String(e);
  }
  rmSync(home, { recursive: true, force: true });
  return out;
}

/** Lines Ansible's default output prints per loop item, e.g. "changed: [localhost] => (item=3)". */
const itemLines = (stdout, status) => stdout.match(new RegExp(`^${status}: \\[localhost\\] => \\(item=`, 'gm'))?.length ?? 0;
const recapChanged = (stdout) => Number(/^localhost\s+:.*\bchanged=(\d+)/m.exec(stdout)?.[1] ?? Number.NaN);

/** Why Ansible cannot run this case here, or undefined. */
function ansibleUnavailable(c) {
  if (skipAnsible) return 'skipped (BENCH_SKIP_ANSIBLE=1)';
  if (!hasTool('ansible-playbook')) return 'not installed';
  if (c.sys && spawnSync(SYSTEM_PYTHON, ['-c', 'import apt'], { stdio: 'ignore', timeout: 10_000 }).status !== 0)
    return `needs python3-apt for ${SYSTEM_PYTHON} (apt-get install -y python3-apt)`;
  return undefined;
}

async function ansibleRuns(playbook, c, log) {
  const why = ansibleUnavailable(c);
  if (why) return { status: why };
  const root = freshRoot('ansible');
  const system = c.sys ? ['-e', `ansible_python_interpreter=${SYSTEM_PYTHON}`] : [];
  const play = (extra) =>
    runChild('ansible-playbook', ['-i', 'localhost,', '-c', 'local', playbook, '-e', `root=${root}`, ...system, ...extra], {
      timeoutMs: ANSIBLE_TIMEOUT,
      env: {
        ...process.env,
        ANSIBLE_NOCOLOR: '1',
        ANSIBLE_RETRY_FILES_ENABLED: '0',
        ...(c.sys ? { APT_CONFIG: c.sys.aptConfig } : {}),
      },
    });
  const out = { status: 'ok', root };
  let step = 'scratch';
  try {
    c.sys?.reset(); // the sloth-runner rounds left the users and packages behind
    log('configure: ansible-playbook from scratch (the slow one)');
    const r1 = await play([]);
    const f1 = failure(r1, 'ansible-playbook');
    if (f1) throw new Error(f1);
    const changed = itemLines(r1.stdout, 'changed');
    if (changed !== c.ansibleItems) throw new Error(`ansible reported ${changed} changed items, expected ${c.ansibleItems}`);
    const tasks = recapChanged(r1.stdout);
    if (tasks !== c.tasks.length) throw new Error(`ansible's recap says changed=${tasks}, expected ${c.tasks.length}`);
    const snap = snapshot(root, PER);
    c.sys?.expectConfigured(CONFIGURE_USER.shell);
    out.system = c.sys?.state();
    out.scratch = { wallMs: r1.wallMs };
    for (const [key, extra] of [
      ['again', []],
      ['check', ['--check']],
    ]) {
      step = key;
      log(`configure: ansible-playbook ${key === 'check' ? '--check' : 'again, nothing to change'}`);
      const { result: r, accountsTouched } = await watched(c.sys, () => play(extra));
      const f = failure(r, 'ansible-playbook');
      if (f) throw new Error(f);
      const n = recapChanged(r.stdout);
      if (n !== 0) throw new Error(`ansible's recap says changed=${n}, expected 0`);
      const m = moved(snap, snapshot(root, PER));
      if (m.written) throw new Error(`${m.written} of ${FILES} managed paths got a new mtime or inode`);
      out[key] = { wallMs: r.wallMs, ctimeMoved: m.ctime, accountsTouched };
    }
  } catch (e) {
    out.errors = { [step]: e instanceof Error ? e.message : String(e) };
  }
  return out;
}

const stats = (samples, key) => {
  const xs = samples.map((s) => (typeof key === 'function' ? key(s) : s[key]));
  return { med: median(xs), lo: minOf(xs), hi: maxOf(xs), n: xs.length };
};

/** What the two sides left differently: managed paths, then users and packages as the system reports them. */
function sideDifferences(s, a, c) {
  if (a.status !== 'ok' || !a.scratch || !s.lastRoot) return undefined;
  const out = differences(s.lastRoot, a.root, PER);
  if (c.sys && s.system && a.system) {
    const lines = (st) => [...st.users, ...st.packages];
    const [x, y] = [lines(s.system), lines(a.system)];
    out.push(...x.filter((l, i) => l !== y[i]).map((l) => l.split(':')[0]));
  }
  return out;
}

export async function run(log) {
  const unavailable = systemUnavailable();
  let sys;
  if (!unavailable) {
    log(`configure: ${SYSTEM} .deb packages in a private apt repository, ${SYSTEM} user names`);
    sys = await configureSystem(SYSTEM);
  }
  try {
    return await measure(log, sys, unavailable);
  } finally {
    sys?.remove(); // users and packages gone, also after a failure
  }
}

async function measure(log, sys, unavailable) {
  const c = {
    sys,
    tasks: sys ? [...FILE_TASKS, 'users', 'packages'] : FILE_TASKS,
    resources: FILES + (sys ? 2 * SYSTEM : 0),
    // Ansible prints a line per loop item (files, users); the apt task installs its list in one item-less call.
    ansibleItems: FILES + (sys ? SYSTEM : 0),
  };
  const what = sys ? `${c.resources} resources (${FILES} files, ${SYSTEM} users, ${SYSTEM} packages)` : `${FILES} files`;
  const { sloth: file, playbook } = configureFiles(PER, sys ? { users: sys.users, packages: sys.packages } : {});
  log(
    `configure: ${ROUNDS} rounds of: 1-task workflow, then ${what} from scratch, again, --check; then ansible-playbook x3 (once each)`,
  );
  const s = await slothRounds(file, noopChain(1), c, log);
  const a = await ansibleRuns(playbook, c, log);

  const wall = Object.fromEntries(ROWS.map(([k]) => [k, stats(s[k], 'wallMs')]));
  const engine = Object.fromEntries(ROWS.map(([k]) => [k, stats(s[k], 'engineMs')]));
  const emptyWall = stats(s.empty, 'wallMs');
  const emptyEngine = stats(s.empty, 'engineMs');
  const ansMs = (k) => a[k]?.wallMs ?? Number.NaN;
  const ansStatus = (k) => {
    if (a.status !== 'ok') return a.status;
    if (a.errors?.[k]) return `error: ${a.errors[k]}`;
    return a[k] ? 'ok' : 'not run (an earlier run failed)';
  };
  const untouched = sys ? '; apt-get not started' : '';
  // Other work on the machine may add users meanwhile: reported, not fatal (apt's private history is the strict check).
  const accountsNote = (during) =>
    during ? `; the account files' mtime moved during ${during} (other work on the machine adds users too?)` : '';
  const slothNote = (k) => {
    if (s.errors[k]) return `error: ${s.errors[k]}`;
    if (k === 'scratch')
      return `every task changed, ${c.resources} changes, ${FILES} paths exist${sys ? ', users and packages there' : ''}`;
    const ctimes = s.moved[k];
    return `every task changed=false; no file written (mtime, inode)${untouched}${Math.max(0, ...ctimes) ? `; ctime moved on up to ${Math.max(...ctimes)} paths` : ''}${accountsNote(s.accounts[k] && `${s.accounts[k]} of ${s[k].length} runs`)}`;
  };
  const ansNote = (k) => {
    const r = a[k];
    if (k === 'scratch') return 'n=1';
    return `n=1${sys ? untouched : ''}${r.ctimeMoved ? `; ctime moved on ${r.ctimeMoved} paths` : ''}${accountsNote(r.accountsTouched && 'the run')}`;
  };
  const rows = [
    ...ROWS.map(([k, label]) => [
      `sloth-runner, ${label}`,
      cell(wall[k]),
      cell(engine[k]),
      ms(engine[k].med / c.resources),
      slothNote(k),
    ]),
    [
      'diagnostic: sloth-runner, a 1-task no-op workflow (fixed cost of a run)',
      cell(emptyWall),
      cell(emptyEngine),
      '–',
      s.errors.empty ? `error: ${s.errors.empty}` : '',
    ],
    ...ROWS.map(([k, label]) => {
      const st = ansStatus(k);
      return [
        `ansible-playbook, ${label} (reference)`,
        st === 'ok' ? ms(ansMs(k)) : st,
        '–',
        st === 'ok' ? ms(ansMs(k) / c.resources) : '–',
        st === 'ok' ? ansNote(k) : '',
      ];
    }),
  ];
  const perTask = c.tasks.map((t) => [t, ...ROWS.map(([k]) => cell(stats(s[k], (x) => x.tasks[t])))]);

  const vs = (k) => ansMs(k) / wall[k].med;
  const summary = ROWS.map(([k, label]) => ({
    benchmark: `configure ${sys ? `${c.resources} resources` : `${FILES} files`}, ${label}, CLI wall vs Ansible`,
    sloth: ms(wall[k].med),
    reference: ansStatus(k) === 'ok' ? `ansible ${ms(ansMs(k))}` : `ansible: ${ansStatus(k)}`,
    ratio: Number.isFinite(vs(k)) ? `${ratio(1 / vs(k))} (${vs(k).toFixed(1)}x faster)` : '–',
    target: k === 'again' ? `>= ${TARGET}x faster` : '(none set)',
    met: k === 'again' && Number.isFinite(vs(k)) ? vs(k) >= TARGET : undefined,
  }));

  const notes = [];
  const diff = sideDifferences(s, a, c);
  notes.push(
    `**configure:** ${FILES} managed paths under a fresh temp root: ${PER} directories (file, state = "directory", 0755), in each a copy of a file shipped next to the workflow, a Jinja template (a loop and an \`upper\` filter, vars per file) and a lineinfile edit (regexp, create = true)` +
      (sys
        ? `; ${SYSTEM} users (slothbench-u01..${SYSTEM}: user.create with shell and comment, home created; Ansible's user module) and ${SYSTEM} packages (slothbench-p01..${SYSTEM}, tiny .deb files built with dpkg-deb, installed by name from a private local apt repository whose index was fetched once beforehand, through the real apt-get and dpkg: one pkg.install of the list; Ansible's apt module given the list, with python3-apt). Users and packages are removed before each from-scratch run (untimed) and at the end. `
        : `. The users and packages part did not run: ${unavailable}. `) +
      `The workflow has one task per kind, each a Lua loop (copies, templates and lines depend on dirs, so those three run concurrently${sys ? '; users and packages depend on nothing and run alongside them' : ''}); the playbook has the same tasks with \`loop:\` (Ansible still runs its module once per item), \`connection: local\`, \`gather_facts: false\`, one task after the other. ` +
      `Every run is \`workflow run -o json\` timed as CLI wall, ${ROUNDS} rounds on a fresh root each (one data directory, a stack per round); each run is checked: ${c.resources} changes reported and every path${sys ? ', user and package' : ''} there, then every task changed = false, no mtime or inode moved${sys ? " and no new entry in apt's history (apt-get not started)" : ''}. Ansible runs once per row on its own fresh root, checked the same way (${c.ansibleItems} "changed" items${sys ? ' plus the apt task' : ''}, then recap changed=0 and the same evidence).` +
      (diff === undefined
        ? ''
        : diff.length === 0
          ? ` After their first runs both sides left the same contents and modes${sys ? ', the same users (comment, home, shell) and packages' : ''}.`
          : ` After their first runs the sides differ in ${diff.length} resources (e.g. ${diff.slice(0, 3).join(', ')}): the comparison is not like for like.`),
  );
  const r = vs('again');
  const outside = wall.again.med - engine.again.med;
  const emptyOutside = emptyWall.med - emptyEngine.med;
  const taskMed = (t) => stats(s.again, (x) => x.tasks[t]).med;
  const files3 = Math.max(...FILE_TASKS.slice(1).map(taskMed));
  const noise = Math.max(emptyWall.hi - emptyWall.lo, 0.1 * emptyOutside);
  const extraOutside =
    Math.abs(outside - emptyOutside) <= noise
      ? 'the same within run-to-run noise'
      : `${ms(outside - emptyOutside)} of the outside time is this workflow's beyond the fixed cost of any run`;
  const engineVs = ansMs('again') / engine.again.med;
  notes.push(
    `**configure, nothing to change:** ${ms(wall.again.med)} CLI wall against ${Number.isFinite(r) ? `${ms(ansMs('again'))} for Ansible: ${r.toFixed(1)}x faster, the >= ${TARGET}x target is ${r >= TARGET ? 'met' : `missed (it needs <= ${ms(ansMs('again') / TARGET)})`}` : `Ansible ${ansStatus('again')}`}` +
      (Number.isFinite(r) && Math.abs(r / TARGET - 1) < 0.2
        ? `; close to the line: with one Ansible run and the CLI's spread of ${ms(wall.again.lo)}–${ms(wall.again.hi)} the ratio spans ${(ansMs('again') / wall.again.hi).toFixed(1)}x–${(ansMs('again') / wall.again.lo).toFixed(1)}x, so treat it as borderline. `
        : '. ') +
      `Where the time goes: the engine's duration_ms is ${ms(engine.again.med)} (${ms(engine.again.med / c.resources)} per managed resource): dirs took ${ms(taskMed('dirs'))} for its ${PER} calls (${ms(taskMed('dirs') / PER)} each), then copies, templates and lines ran concurrently and the last ended after ${ms(files3)} (${ms(files3 / (3 * PER))} per call over their ${3 * PER} calls: reading the facts, comparing, reporting)` +
      (sys
        ? `; alongside them users took ${ms(taskMed('users'))} for its ${SYSTEM} user.create calls (${ms(taskMed('users') / SYSTEM)} each: one shell running getent and id, no usermod) and packages ${ms(taskMed('packages'))} for its one pkg.install of ${SYSTEM} (reading dpkg's database, no apt-get). `
        : '. ') +
      `The other ${ms(outside)} is outside the engine (the CLI before and after the run), against ${ms(emptyOutside)} outside and ${ms(emptyWall.med)} wall for a 1-task no-op workflow in the same rounds: ${extraOutside}, so a run's fixed cost is ${Math.round((100 * emptyWall.med) / wall.again.med)}% of this one` +
      (Number.isFinite(engineVs) ? ` (Ansible's run took ${engineVs.toFixed(0)}x the engine time alone). ` : '. ') +
      `From scratch: ${ms(wall.scratch.med)} (engine ${ms(engine.scratch.med)}) vs ${ms(ansMs('scratch'))}${Number.isFinite(vs('scratch')) ? `, ${vs('scratch').toFixed(1)}x faster` : ''}; --check: ${ms(wall.check.med)} (engine ${ms(engine.check.med)}) vs ${ms(ansMs('check'))}${Number.isFinite(vs('check')) ? `, ${vs('check').toFixed(1)}x faster` : ''}.`,
  );
  if (s.lastRoot) rmSync(s.lastRoot, { recursive: true, force: true });
  if (a.root) rmSync(a.root, { recursive: true, force: true });

  return {
    title: `Configure: ${sys ? `${c.resources} managed resources (${FILES} files with file_ops, ${SYSTEM} users, ${SYSTEM} packages)` : `${FILES} managed files (file_ops)`} from scratch, unchanged, --check, vs Ansible`,
    headers: ['case', 'CLI wall (median, min–max)', 'engine duration_ms', 'per managed resource', 'note'],
    rows,
    extra: [{ title: 'Task duration_ms (median, min–max)', headers: ['task', ...ROWS.map(([, l]) => l)], rows: perTask }],
    summary,
    notes,
  };
}
