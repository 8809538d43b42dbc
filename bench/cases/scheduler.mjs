// Benchmark: the scheduler with 10,000 schedules stored. The CPU a `scheduler run` process uses per minute of its
// loop with none of them due (against the same process on a data directory without schedules, in the same minute),
// the time to compute the next 1,000 firings of one expression (5 fields, seconds, a timezone, @every), and the time
// to take 1,000 due firings at once in the store (read them, compute each one's next firing, move it with its
// compare-and-swap), the store side of a busy tick without the runs.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpuSeconds, daemon, killAll, until } from '../lib/daemon.mjs';
import { stat } from '../lib/measure.mjs';
import { CLI, REPO, WORK } from '../lib/paths.mjs';
import { ms, statCell } from '../lib/table.mjs';

const SCHEDULES = 10_000;
const FIRINGS = 1000;
const ROUNDS = 5;
const CPU_WINDOW_MS = 60_000;
const CPU_TARGET_S = 1; // CPU seconds per minute of the loop with 10,000 schedules stored

const store = () => import(join(REPO, 'packages/store-sqlite/dist/index.js'));
const firing = () => import(join(REPO, 'apps/cli/dist/scheduler/next-firing.js'));

/** A data directory holding `n` daily schedules spread over the day (none due in the next minutes). */
async function dataDir(n) {
  const { openStore, scheduleRepo } = await store();
  const { nextFiring } = await firing();
  mkdirSync(WORK, { recursive: true });
  const dir = mkdtempSync(join(WORK, 'scheduler-'));
  const file = join(dir, 'w.sloth');
  writeFileSync(file, 'task("t"):command(function() return true end):build()\nworkflow.define("w", { tasks = { "t" } })\n');
  const s = openStore(dir);
  const repo = scheduleRepo(s);
  const now = Date.now();
  const hour = new Date(now).getUTCHours();
  s.sqlite.transaction(() => {
    for (let i = 0; i < n; i++) {
      // Minute i % 60 of an hour at least two hours away, so nothing fires while the loop is measured.
      const cron = `${i % 60} ${(hour + 2 + (i % 20)) % 24} * * *`;
      const next = nextFiring({ cron, timezone: 'UTC', jitterMs: 0 }, now);
      repo.add({
        name: `s${i}`,
        cron,
        timezone: 'UTC',
        file,
        workflow: undefined,
        stack: undefined,
        runArgs: [],
        overlap: 'skip',
        catchUp: 'one',
        timeoutMs: undefined,
        jitterMs: 0,
        after: i % 100 === 0 ? 's1' : undefined,
        enabled: true,
        dueAt: next.dueAt,
        fireAt: next.fireAt,
      });
    }
  })();
  s.close();
  return dir;
}

/** CPU seconds per minute of `scheduler run` on a directory with 10,000 schedules and on an empty one, side by side. */
async function loopCpu(log) {
  const full = await dataDir(SCHEDULES);
  const empty = await dataDir(0);
  const children = [];
  try {
    const start = (dir) => {
      const d = daemon(['scheduler', 'run', '--data-dir', dir], {}, { cmd: CLI });
      children.push(d.child);
      return d;
    };
    const a = start(full);
    const b = start(empty);
    for (const d of [a, b]) await until(() => /firing the schedules/.test(d.output()), 30_000, 'the scheduler to take its lease');
    log(
      `scheduler: measuring ${CPU_WINDOW_MS / 1000} s of the loop with ${SCHEDULES.toLocaleString('en-US')} schedules and with none`,
    );
    const c0 = [cpuSeconds(a.child.pid), cpuSeconds(b.child.pid)];
    await new Promise((r) => setTimeout(r, CPU_WINDOW_MS));
    const c1 = [cpuSeconds(a.child.pid), cpuSeconds(b.child.pid)];
    const perMinute = (i) => ((c1[i] - c0[i]) * 60_000) / CPU_WINDOW_MS;
    if (/run #\d+ started/.test(a.output())) throw new Error('a schedule fired during the measurement');
    return { full: perMinute(0), empty: perMinute(1) };
  } finally {
    killAll(children);
  }
}

/** The next FIRINGS firings of an expression, each from the one before. */
async function nextFirings() {
  const { parseCron } = await import(join(REPO, 'apps/cli/dist/scheduler/cron.js'));
  const kinds = [
    ['5 fields: */7 3-5 * * 1-5', '*/7 3-5 * * 1-5', undefined],
    ['6 fields (seconds): */10 * * * * *', '*/10 * * * * *', undefined],
    ['timezone: 30 7 * * 1-5 Europe/Berlin', '30 7 * * 1-5', 'Europe/Berlin'],
    ['@every 30s', '@every 30s', undefined],
  ];
  return kinds.map(([label, expr, tz]) => {
    const samples = [];
    for (let round = 0; round < ROUNDS; round++) {
      const c = parseCron(expr, tz);
      const t0 = performance.now();
      let at = Date.now();
      for (let i = 0; i < FIRINGS; i++) at = c.next(at);
      samples.push(performance.now() - t0);
    }
    return [label, stat(samples)];
  });
}

/** Takes FIRINGS due firings among the 10,000 schedules as a tick does: due(), nextFiring, advance. */
async function takeDue() {
  const { openStore, scheduleRepo } = await store();
  const { nextFiring } = await firing();
  const dir = await dataDir(SCHEDULES);
  const s = openStore(dir);
  const repo = scheduleRepo(s);
  const samples = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const past = Date.now() - 1000;
      s.sqlite
        .prepare(`UPDATE schedules SET fire_at = ?, due_at = ? WHERE rowid IN (SELECT rowid FROM schedules LIMIT ${FIRINGS})`)
        .run(past, past);
      const now = Date.now();
      const t0 = performance.now();
      const due = repo.due(now, FIRINGS);
      let taken = 0;
      for (const x of due) if (repo.advance(x.name, x.fireAt, nextFiring(x, now))) taken += 1;
      samples.push(performance.now() - t0);
      if (taken !== FIRINGS) throw new Error(`took ${taken} firings, expected ${FIRINGS}`);
    }
  } finally {
    s.close();
  }
  return stat(samples);
}

export async function run(log) {
  log(`scheduler: ${SCHEDULES.toLocaleString('en-US')} schedules; next ${FIRINGS} firings; taking ${FIRINGS} due firings`);
  const next = await nextFirings();
  const taken = await takeDue();
  const cpu = await loopCpu(log);
  const sec = (v) => (Number.isFinite(v) ? `${v.toFixed(2)} s` : '–');
  const rows = [
    [`scheduler run, ${SCHEDULES.toLocaleString('en-US')} schedules stored, none due: CPU per minute`, sec(cpu.full)],
    ['scheduler run, no schedules (reference): CPU per minute', sec(cpu.empty)],
    ...next.map(([label, s]) => [`next ${FIRINGS} firings, ${label}`, statCell(s)]),
    [
      `take ${FIRINGS} due firings of ${SCHEDULES.toLocaleString('en-US')} (read, next firing, compare-and-swap)`,
      statCell(taken),
    ],
  ];
  return {
    title: `Scheduler: ${SCHEDULES.toLocaleString('en-US')} schedules`,
    headers: ['measure', 'value (median, min–max)'],
    rows,
    summary: [
      {
        benchmark: `scheduler loop CPU per minute, ${SCHEDULES.toLocaleString('en-US')} schedules`,
        sloth: sec(cpu.full),
        reference: `no schedules ${sec(cpu.empty)}`,
        ratio: '–',
        target: `<= ${CPU_TARGET_S} s`,
        met: Number.isFinite(cpu.full) ? cpu.full <= CPU_TARGET_S : undefined,
      },
    ],
    notes: [
      `**scheduler:** with ${SCHEDULES.toLocaleString('en-US')} schedules stored the loop used ${sec(cpu.full)} of CPU per minute against ${sec(cpu.empty)} with none: a tick reads only the due schedules and the earliest next firing through partial indexes, so what is stored costs little while it waits. ` +
        `Taking ${FIRINGS} due firings at once took ${ms(taken.med)} (the runs themselves, each a \`workflow run\` process, are not included).`,
    ],
  };
}
