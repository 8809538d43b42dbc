// Benchmark 3: CPU-bound Lua: recursive fib(30) inside a task vs native lua5.4.

import { join } from 'node:path';
import { failure, hasTool, interleave, runChild, stat } from '../lib/measure.mjs';
import { BENCH_DIR } from '../lib/paths.mjs';
import { runWorkflowFile } from '../lib/sloth.mjs';
import { statCell as cell, ms, ratio } from '../lib/table.mjs';
import { fibNative, fibWorkflow } from '../lib/workflows.mjs';

const N = 30;
const RUNS = 5;
const WASMOON_RUNS = 3;
const TARGET = 1.5;

function sloth() {
  const file = fibWorkflow(N);
  return {
    once: async () => {
      const s = await runWorkflowFile(file, { timeoutMs: 60_000 });
      const t = s.report.tasks?.fib;
      if (t?.output?.result !== 832040) throw new Error(`fib(${N}) returned ${t?.output?.result}`);
      return { luaMs: Number(t.output.cpu_ms), taskMs: t.duration_ms, wallMs: s.wallMs };
    },
  };
}

function native(hook) {
  const file = fibNative(N, { hook });
  return {
    once: async () => {
      const r = await runChild('lua5.4', [file], { timeoutMs: 60_000 });
      const why = failure(r, 'lua5.4');
      if (why) throw new Error(why);
      const [result, cpu] = r.stdout.trim().split(/\s+/);
      if (result !== '832040') throw new Error(`lua5.4 fib(${N}) printed ${r.stdout.trim()}`);
      return { luaMs: Number(cpu), wallMs: r.wallMs };
    },
  };
}

async function bareWasmoon() {
  const r = await runChild(process.execPath, [join(BENCH_DIR, 'lib', 'wasmoon-fib.mjs'), String(N), String(WASMOON_RUNS)], {
    timeoutMs: 120_000,
  });
  const why = failure(r, 'bare wasmoon');
  if (why) return { error: why };
  try {
    return JSON.parse(r.stdout);
  } catch {
    return { error: `bare wasmoon printed ${r.stdout.slice(0, 200)}` };
  }
}

export async function run(log) {
  const haveLua = hasTool('lua5.4');
  log(
    `fib: ${RUNS} rounds of: sloth-runner fib(${N})${haveLua ? ', lua5.4 plain and with a count hook' : ' (lua5.4 not installed)'}`,
  );
  const r = await interleave(RUNS, haveLua ? { s: sloth(), nat: native(false), natHook: native(true) } : { s: sloth() });
  const s = r.s;
  const nat = r.nat ?? { missing: true, samples: [] };
  const natHook = r.natHook ?? { missing: true, samples: [] };
  log(`fib: bare wasmoon x${WASMOON_RUNS} (plain and with a count hook)`);
  const bare = await bareWasmoon();

  const sLua = stat(s.samples.map((x) => x.luaMs));
  const sTask = stat(s.samples.map((x) => x.taskMs));
  const nLua = stat(nat.samples.map((x) => x.luaMs));
  const nHook = stat(natHook.samples.map((x) => x.luaMs));
  const bPlain = stat((bare.plain ?? []).map((x) => x.luaMs));
  const bHook = stat((bare.hook ?? []).map((x) => x.luaMs));
  const missing = nat.missing ? 'not installed' : undefined;
  const vs = (x) => (Number.isFinite(nLua.med) ? ratio(x / nLua.med) : '–');
  const err = (r) => (r.error ? `error: ${r.error}` : '');

  const rows = [
    ['sloth-runner task, os.clock() in Lua', cell(sLua), vs(sLua.med), err(s)],
    ['sloth-runner task, task duration_ms', cell(sTask), vs(sTask.med), ''],
    ['native lua5.4 (reference)', missing ?? cell(nLua), missing ? '–' : '1.00x', err(nat)],
    ['native lua5.4 + count hook every 10,000 instr. (diagnostic)', missing ?? cell(nHook), vs(nHook.med), err(natHook)],
    ['bare wasmoon, no hook (diagnostic)', cell(bPlain), vs(bPlain.med), bare.error ?? ''],
    ['bare wasmoon + the same count hook (diagnostic)', cell(bHook), vs(bHook.med), bare.error ?? ''],
  ];

  const r1 = sLua.med / nLua.med;
  const r2 = sTask.med / nLua.med;
  const summary = [
    {
      benchmark: `fib(${N}) in a task (os.clock) vs lua5.4`,
      sloth: ms(sLua.med),
      reference: missing ? 'lua5.4 not installed' : `lua5.4 ${ms(nLua.med)}`,
      ratio: ratio(r1),
      target: `<= ${TARGET}x`,
      met: Number.isFinite(r1) ? r1 <= TARGET : undefined,
    },
    {
      benchmark: `fib(${N}) task duration_ms vs lua5.4`,
      sloth: ms(sTask.med),
      reference: missing ? 'lua5.4 not installed' : `lua5.4 ${ms(nLua.med)}`,
      ratio: ratio(r2),
      target: `<= ${TARGET}x`,
      met: Number.isFinite(r2) ? r2 <= TARGET : undefined,
    },
  ];

  const notes = [];
  if (missing) notes.push('**fib:** lua5.4 is not installed, so there is no native reference this run.');
  else {
    const wasm = bPlain.med / nLua.med;
    const hookCost = bHook.med / bPlain.med;
    const rest = sLua.med / bHook.med;
    notes.push(
      `**fib(${N}):** ${ms(sLua.med)} inside the task (os.clock) and ${ms(sTask.med)} as task duration_ms, against ${ms(nLua.med)} for native lua5.4: ${ratio(r1)} / ${ratio(r2)}; the <= ${TARGET}x target is ${r1 <= TARGET ? 'met' : 'missed'}. ` +
        `Where the factor comes from, measured in the same run: bare wasmoon without any hook is ${ratio(wasm)} native (WASM itself); adding a count hook like ours makes bare wasmoon ${ratio(hookCost)} slower ` +
        `(in Lua 5.4 any active hook sends every instruction through luaG_traceexec, even if the hook only fires every 10,000 instructions; natively the same hook costs ${ratio(nHook.med / nLua.med)}); ` +
        (rest > 1.15
          ? `the remaining ${ratio(rest)} between bare wasmoon + hook and our task is the runtime itself (the hook calling into JS every 10,000 instructions, 20 ms time-slice yields, running in a Lua thread). `
          : `our task runs at ${ratio(rest)} of bare wasmoon + hook, so the runtime adds nothing measurable beyond the hook itself. `) +
        (bHook.med / nLua.med > TARGET
          ? `So the ${TARGET}x target cannot be met while a count hook is installed: bare wasmoon with the hook is already ${ratio(bHook.med / nLua.med)} native ` +
            `(without it ${ratio(wasm)}, ${wasm > TARGET ? 'above' : 'close to'} the 1.4x quoted for wasmoon). `
          : '') +
        (s.samples.every((x) => Number.isInteger(x.luaMs))
          ? 'os.clock() under wasmoon returned whole milliseconds only (about 1 ms resolution), which is fine at these durations.'
          : ''),
    );
  }

  return {
    title: `3. fib(${N}) CPU-bound Lua`,
    headers: ['runner', 'time (median, min–max)', 'vs native lua5.4', 'note'],
    rows,
    summary,
    notes,
  };
}
