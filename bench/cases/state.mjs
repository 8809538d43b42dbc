// Benchmark: the state module. state.set / state.get / state.increment from Lua in one process, state.increment from
// 4 processes on one database, against raw better-sqlite3 inserts (one transaction, autocommit) and our StateRepo
// called from JS, all in the same run, so the table shows what each layer (SQLite, repo, Lua binding) costs.

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { failure, interleave, runChild, stat } from '../lib/measure.mjs';
import { CLI, REPO, WORK, workFile } from '../lib/paths.mjs';
import { ratio } from '../lib/table.mjs';

const N = 20_000;
const PROCS = 4;
const PER_PROC = 1000;
const ROUNDS = 3;
const TARGET_SET = 50_000;
const TIMEOUT = 180_000;

const core = () => import(join(REPO, 'packages/store-sqlite/dist/index.js'));
const Database = createRequire(join(REPO, 'packages/store-sqlite/package.json'))('better-sqlite3');

const freshDir = () => {
  mkdirSync(WORK, { recursive: true });
  return mkdtempSync(join(WORK, 'state-'));
};
const perSec = (n, ms) => (ms > 0 ? (n * 1000) / ms : Number.NaN);
const rate = (v) => (Number.isFinite(v) ? `${Math.round(v).toLocaleString('en-US')}/s` : '–');
const cell = (s) => (s.n > 1 ? `${rate(s.med)} (${rate(s.lo)}–${rate(s.hi)}, n=${s.n})` : rate(s.med));

/** One process: N state.set, N state.get, N/4 state.increment in separate tasks; task duration_ms times each. */
function luaWorkflow() {
  const file = workFile('state-bench.sloth');
  writeFileSync(
    file,
    `local N = ${N}
local loop = task("loop"):command(function() local s = 0 for i = 1, N do local k = "bench:" .. (i % 1000) s = s + #k end end):build()
local set = task("set"):depends_on({ "loop" }):command(function() for i = 1, N do state.set("bench:" .. (i % 1000), i) end end):build()
local get = task("get"):depends_on({ "set" }):command(function()
  local s = 0
  for i = 1, N do s = s + state.get("bench:" .. (i % 1000)) end
  return true, "ok", { sum = s }
end):build()
local inc = task("inc"):depends_on({ "get" }):command(function() for i = 1, N / 4 do state.increment("bench:counter") end end):build()
workflow.define("state_bench", { tasks = { loop, set, get, inc } })
`,
  );
  return {
    once: async () => {
      const r = await runChild(CLI, ['workflow', 'run', '-f', file, '--output', 'json', '--data-dir', freshDir()], {
        timeoutMs: TIMEOUT,
        cwd: REPO,
      });
      const why = failure(r, 'sloth-runner state bench');
      if (why) throw new Error(why);
      const t = JSON.parse(r.stdout).tasks;
      const d = (name) => t[name].duration_ms - t.loop.duration_ms;
      return {
        set: perSec(N, d('set')),
        get: perSec(N, d('get')),
        inc: perSec(N / 4, t.inc.duration_ms - t.loop.duration_ms / 4),
      };
    },
  };
}

/**
 * PROCS processes increment one key PER_PROC times each. They start, say they are ready, and wait for "go", so
 * start-up is not timed: the clock runs from "go" until every process has written its "done" key.
 */
function multiProcess() {
  const file = workFile('state-bench-inc.sloth');
  writeFileSync(
    file,
    `task("inc"):command(function(params)
  state.set("ready:" .. params.who, true)
  local deadline = os.time() + 60
  while not state.exists("go") do if os.time() > deadline then error("no go within 60s") end end
  for i = 1, ${PER_PROC} do state.increment("bench:shared") end
  state.set("done:" .. params.who, true)
end):build()
`,
  );
  return {
    once: async () => {
      const { openStore, stateRepo } = await core();
      const dir = freshDir();
      const store = openStore(dir);
      const repo = stateRepo(store);
      try {
        const runs = Array.from({ length: PROCS }, (_, i) =>
          runChild(CLI, ['workflow', 'run', '-f', file, '--data-dir', dir, '--stack', `p${i}`, '--param', `who=p${i}`], {
            timeoutMs: TIMEOUT,
            cwd: REPO,
          }),
        );
        const until = async (pred, what) => {
          const deadline = Date.now() + 120_000;
          while (!pred()) {
            if (Date.now() > deadline) throw new Error(`state bench: timed out waiting for ${what}`);
            await new Promise((r) => setTimeout(r, 2));
          }
        };
        await until(() => repo.keys('ready:*').length === PROCS, 'the processes to start');
        const t0 = performance.now();
        repo.set('go', true);
        await until(() => repo.keys('done:*').length === PROCS, 'the increments');
        const wallMs = performance.now() - t0;
        for (const r of await Promise.all(runs)) {
          const why = failure(r, 'sloth-runner increment process');
          if (why) throw new Error(why);
        }
        const total = repo.get('bench:shared');
        if (total !== PROCS * PER_PROC) throw new Error(`expected ${PROCS * PER_PROC} increments, the counter says ${total}`);
        return { inc: perSec(PROCS * PER_PROC, wallMs) };
      } finally {
        store.close();
      }
    },
  };
}

/** Raw better-sqlite3 with the store's pragmas, and our StateRepo from JS: the floors under state.set. */
function inProcess() {
  return {
    once: async () => {
      const { openStore, stateRepo } = await core();
      const db = new Database(join(freshDir(), 'raw.db'));
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.exec('CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
      const upsert = db.prepare(
        'INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      );
      const time = (fn) => {
        const t = performance.now();
        fn();
        return performance.now() - t;
      };
      const tx = time(() =>
        db.transaction(() => {
          for (let i = 0; i < N; i++) upsert.run(`bench:${i % 1000}`, String(i));
        })(),
      );
      const auto = time(() => {
        for (let i = 0; i < N; i++) upsert.run(`bench:${i % 1000}`, String(i));
      });
      db.close();
      const store = openStore(freshDir());
      const repo = stateRepo(store);
      const set = time(() => {
        for (let i = 0; i < N; i++) repo.set(`bench:${i % 1000}`, i);
      });
      const get = time(() => {
        for (let i = 0; i < N; i++) repo.get(`bench:${i % 1000}`);
      });
      const inc = time(() => {
        for (let i = 0; i < N / 4; i++) repo.increment('bench:counter');
      });
      store.close();
      return { tx: perSec(N, tx), auto: perSec(N, auto), set: perSec(N, set), get: perSec(N, get), inc: perSec(N / 4, inc) };
    },
  };
}

export async function run(log) {
  log(
    `state: ${ROUNDS} rounds of: Lua set/get/increment x${N} in one process, ${PROCS} processes x ${PER_PROC} increments, raw SQLite`,
  );
  const r = await interleave(ROUNDS, { lua: luaWorkflow(), multi: multiProcess(), raw: inProcess() });
  const pick = (x, key) => stat(x.samples.map((s) => s[key]));
  const err = (x) => (x.error ? `error: ${x.error}` : '');
  const luaSet = pick(r.lua, 'set');
  const rawAuto = pick(r.raw, 'auto');
  const repoSet = pick(r.raw, 'set');
  const rows = [
    ['raw better-sqlite3 upsert, one transaction (reference)', cell(pick(r.raw, 'tx')), '', err(r.raw)],
    ['raw better-sqlite3 upsert, autocommit (reference)', cell(rawAuto), '1.00x', ''],
    ['StateRepo.set from JS (JSON, expiry, sweep)', cell(repoSet), ratio(rawAuto.med / repoSet.med), ''],
    ['StateRepo.get from JS', cell(pick(r.raw, 'get')), '', ''],
    ['StateRepo.increment from JS (BEGIN IMMEDIATE, read, write)', cell(pick(r.raw, 'inc')), '', ''],
    ['state.set from Lua, one process', cell(luaSet), ratio(rawAuto.med / luaSet.med), err(r.lua)],
    ['state.get from Lua, one process', cell(pick(r.lua, 'get')), '', ''],
    ['state.increment from Lua, one process', cell(pick(r.lua, 'inc')), '', ''],
    [`state.increment from Lua, ${PROCS} processes on one database (total)`, cell(pick(r.multi, 'inc')), '', err(r.multi)],
  ];
  const summary = [
    {
      benchmark: 'state.set from Lua, one process',
      sloth: rate(luaSet.med),
      reference: `raw autocommit ${rate(rawAuto.med)}`,
      ratio: ratio(rawAuto.med / luaSet.med),
      target: `>= ${TARGET_SET.toLocaleString('en-US')}/s`,
      met: Number.isFinite(luaSet.med) ? luaSet.med >= TARGET_SET : undefined,
    },
  ];
  const notes = [
    `**state:** state.set from Lua ${rate(luaSet.med)} against ${rate(rawAuto.med)} for a raw autocommit upsert and ${rate(repoSet.med)} for StateRepo.set from JS; ` +
      'the gap between the repo and Lua is the generic module binding (argument checks and the Lua/JS crossing), ' +
      `paid by every module call. Rates are task duration_ms minus a loop that only builds the keys; ${PROCS}-process increments are timed from a "go" key to the last "done" key, start-up excluded.`,
  ];
  return {
    title: 'State: state.set/get/increment from Lua vs raw SQLite',
    headers: ['operation', 'rate (median, min–max)', 'raw autocommit / this', 'note'],
    rows,
    summary,
    notes,
  };
}
