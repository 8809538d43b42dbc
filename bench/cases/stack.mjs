// Benchmark: stack.register_resource per second from Lua (created, then unchanged) vs raw better-sqlite3 inserts
// into the same table of the same store, in the same run. Each register_resource is one write transaction (a
// checkpoint), so the fair raw reference is one autocommit insert per row; one transaction for all rows is the ceiling.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { failure, interleave, runChild, stat } from '../lib/measure.mjs';
import { CLI, REPO, WORK } from '../lib/paths.mjs';
import { ms, ratio } from '../lib/table.mjs';

const N = 2000;
const ROUNDS = 3;
const TIMEOUT = 120_000;

const registerWorkflow = (n) => `
task("register"):command(function()
  for i = 1, ${n} do
    stack.register_resource({ type = "bench", name = "r" .. i, module = "bench", properties = { i = i, size = "small", tags = { "a", "b" } } })
  end
  return true
end)
workflow.define("stack_bench", { tasks = { "register" } })
`;

/** One fresh stack: a first run (every resource created) and a second (every one unchanged), timed by task duration. */
async function luaRound(file) {
  const home = mkdtempSync(join(WORK, 'stack-home-'));
  const once = async () => {
    const r = await runChild(CLI, ['workflow', 'run', 'bench', '-f', file, '--output', 'json'], {
      timeoutMs: TIMEOUT,
      cwd: REPO,
      env: { ...process.env, SLOTH_HOME: home },
    });
    const why = failure(r, 'sloth-runner stack bench');
    if (why) throw new Error(why);
    const report = JSON.parse(r.stdout);
    if (report.status !== 'success') throw new Error(`stack bench run: ${report.status}: ${report.tasks?.register?.error}`);
    return { taskMs: report.tasks.register.duration_ms, resources: report.stack?.resources };
  };
  const created = await once();
  const unchanged = await once();
  if (created.resources?.created !== N || unchanged.resources?.unchanged !== N) {
    throw new Error(`expected ${N} created then ${N} unchanged, got ${JSON.stringify([created.resources, unchanged.resources])}`);
  }
  return { createdMs: created.taskMs, unchangedMs: unchanged.taskMs };
}

/** The same rows straight into the store's resources table with a prepared statement. */
async function rawRound() {
  const { openStore } = await import(pathToFileURL(join(REPO, 'packages/store-sqlite/dist/index.js')).href);
  const store = openStore(mkdtempSync(join(WORK, 'stack-raw-')));
  try {
    const now = Date.now();
    store.sqlite.prepare("INSERT INTO stacks (id, name, created_at, updated_at) VALUES ('s', 's', ?, ?)").run(now, now);
    const insert = store.sqlite.prepare(
      `INSERT INTO resources (id, stack_id, type, name, module, properties, properties_hash, created_at, updated_at)
       VALUES (?, 's', 'bench', ?, 'bench', ?, 'h', ?, ?)`,
    );
    const row = (prefix, i) => [
      `${prefix}${i}`,
      `${prefix}${i}`,
      JSON.stringify({ i, size: 'small', tags: ['a', 'b'] }),
      now,
      now,
    ];
    let t = performance.now();
    for (let i = 0; i < N; i++) insert.run(...row('auto', i));
    const autocommitMs = performance.now() - t;
    t = performance.now();
    store.sqlite.transaction(() => {
      for (let i = 0; i < N; i++) insert.run(...row('batch', i));
    })();
    const batchMs = performance.now() - t;
    return { autocommitMs, batchMs };
  } finally {
    store.close();
  }
}

const perSec = (totalMs) => (Number.isFinite(totalMs) && totalMs > 0 ? (N * 1000) / totalMs : Number.NaN);
const rate = (v) => (Number.isFinite(v) ? `${Math.round(v).toLocaleString('en-US')}/s` : '–');

export async function run(log) {
  const file = join(WORK, 'stack-bench.sloth');
  writeFileSync(file, registerWorkflow(N));
  log(`stack: ${ROUNDS} rounds of ${N} register_resource calls (created, then unchanged) vs ${N} raw inserts`);
  const r = await interleave(ROUNDS, { lua: { once: () => luaRound(file) }, raw: { once: rawRound } });
  const col = (x, key) => stat(x.samples.map((s) => s[key]));
  const created = col(r.lua, 'createdMs');
  const unchanged = col(r.lua, 'unchangedMs');
  const auto = col(r.raw, 'autocommitMs');
  const batch = col(r.raw, 'batchMs');
  const row = (label, s, note) => [
    label,
    rate(perSec(s.med)),
    `${rate(perSec(s.hi))}–${rate(perSec(s.lo))}`,
    ms(s.med / N),
    note,
  ];
  const rows = [
    row(
      'stack.register_resource from Lua, new resources',
      created,
      r.lua.error ? `error: ${r.lua.error}` : 'one transaction + change record each',
    ),
    row('stack.register_resource from Lua, unchanged', unchanged, 'hash compare, one transaction each'),
    row(
      'raw better-sqlite3 insert, autocommit',
      auto,
      r.raw.error ? `error: ${r.raw.error}` : 'prepared, one row per transaction',
    ),
    row('raw better-sqlite3 insert, one transaction', batch, 'ceiling: no per-row commit'),
  ];
  const cost = perSec(auto.med) / perSec(created.med);
  return {
    title: `stack: register_resource vs raw SQLite (${N} resources)`,
    headers: ['variant', 'rate (median)', 'range', 'per call', 'note'],
    rows,
    summary: [
      {
        benchmark: `stack.register_resource (${N} new resources)`,
        sloth: rate(perSec(created.med)),
        reference: `raw autocommit insert ${rate(perSec(auto.med))}`,
        ratio: ratio(cost),
        target: '–',
        met: undefined,
      },
    ],
    notes: [
      `**stack.register_resource** records ${rate(perSec(created.med))} new resources (${rate(perSec(unchanged.med))} unchanged) from Lua, ` +
        `${ratio(cost)} slower than a raw prepared autocommit insert into the same table (${rate(perSec(auto.med))}). ` +
        'Each call crosses Lua -> JS, validates its table, hashes the canonical JSON, reads the row, writes it and a change record in one ' +
        'BEGIN IMMEDIATE transaction, and converts the resource back to Lua; the per-call commit is what makes a killed run leave every change recorded.',
    ],
  };
}
