// Benchmark 2: 1,000 no-op Lua tasks as a chain and as a fan-out/fan-in; per-task scheduling overhead.
import { interleave, maxOf, median, minOf } from '../lib/measure.mjs';
import { runWorkflowFile } from '../lib/sloth.mjs';
import { ms, ratio, spread } from '../lib/table.mjs';
import { noopChain, noopFan } from '../lib/workflows.mjs';

const N = 1000;
const ROUNDS = 3;
const TIMEOUT = 120_000;
const TARGET_MS = 1;

const variant = (file, tasks) => ({
  once: async () => {
    const s = await runWorkflowFile(file, { timeoutMs: TIMEOUT });
    const n = Object.keys(s.report.tasks ?? {}).length;
    if (n !== tasks) throw new Error(`expected ${tasks} tasks in the report, got ${n}`);
    return { wallMs: s.wallMs, engineMs: s.engineMs, outsideMs: s.wallMs - s.engineMs };
  },
});

const pick = (r, key) => {
  const xs = r.samples.map((s) => s[key]);
  return { med: median(xs), lo: minOf(xs), hi: maxOf(xs), n: xs.length };
};

export async function run(log) {
  log(`noop: ${ROUNDS} rounds of: ${N}-task chain, 1 -> ${N - 2} -> 1 fan-out/fan-in, 1-task workflow`);
  const r = await interleave(ROUNDS, {
    chain: variant(noopChain(N), N),
    fan: variant(noopFan(N), N),
    one: variant(noopChain(1), 1),
  });

  const row = (label, x, n) => {
    const w = pick(x, 'wallMs');
    const e = pick(x, 'engineMs');
    const o = pick(x, 'outsideMs');
    return [
      label,
      spread(w.med, w.lo, w.hi, w.n),
      spread(e.med, e.lo, e.hi, e.n),
      ms(e.med / n),
      ms(o.med),
      x.error ? `error: ${x.error}` : '',
    ];
  };
  const rows = [
    row(`chain of ${N}`, r.chain, N),
    row(`fan-out/fan-in 1 -> ${N - 2} -> 1`, r.fan, N),
    row('1 no-op task (reference: fixed cost of a run)', r.one, 1),
  ];

  const chainPer = pick(r.chain, 'engineMs').med / N;
  const fanPer = pick(r.fan, 'engineMs').med / N;
  const fixed = pick(r.one, 'outsideMs');
  const outside = (x) => pick(x, 'outsideMs').med;
  const loadPer = (x) => (outside(x) - fixed.med) / N;
  const noise = Math.max(fixed.hi - fixed.lo, 0.1 * fixed.med);

  const summary = [
    {
      benchmark: `${N} no-op tasks, chain: per-task overhead`,
      sloth: ms(chainPer),
      reference: `target ${TARGET_MS} ms`,
      ratio: ratio(chainPer / TARGET_MS),
      target: `< ${TARGET_MS} ms/task`,
      met: Number.isFinite(chainPer) ? chainPer < TARGET_MS : undefined,
    },
    {
      benchmark: `${N} no-op tasks, fan-out: per-task overhead`,
      sloth: ms(fanPer),
      reference: `target ${TARGET_MS} ms`,
      ratio: ratio(fanPer / TARGET_MS),
      target: `< ${TARGET_MS} ms/task`,
      met: Number.isFinite(fanPer) ? fanPer < TARGET_MS : undefined,
    },
  ];

  const both = chainPer < TARGET_MS && fanPer < TARGET_MS;
  const either = chainPer < TARGET_MS || fanPer < TARGET_MS;
  const loadText = (label, x) =>
    Math.abs(outside(x) - fixed.med) <= noise
      ? `${label} ${ms(outside(x))} (no load cost above noise)`
      : `${label} ${ms(outside(x))} (~${ms(loadPer(x))} per declared task)`;
  const notes = [
    `**Per-task overhead** (engine duration_ms / ${N}): chain ${ms(chainPer)}, fan-out ${ms(fanPer)}; the < ${TARGET_MS} ms target is ${both ? 'met by both' : either ? 'met by only one shape' : 'missed by both'}` +
      `${Math.max(chainPer, fanPer) > 0.7 * TARGET_MS ? ', with little margin on this shared machine' : ''}. ` +
      'Every no-op task still gets its own Lua thread, parameter binding, result conversion and a trip through the scheduler.',
    `**Outside the engine** (wall - duration_ms: Node, oclif, Lua start-up, loading the file, the JSON report): ${ms(fixed.med)} for a 1-task workflow; ` +
      `${loadText('chain', r.chain)}, ${loadText('fan', r.fan)}. The target speaks of run time only, but users pay both.`,
  ];

  return {
    title: `2. ${N} no-op Lua tasks`,
    headers: [
      'shape',
      'CLI wall (median, min–max)',
      'engine duration_ms',
      'per task (duration_ms / tasks)',
      'outside engine (wall - duration_ms)',
      'note',
    ],
    rows,
    summary,
    notes,
  };
}
