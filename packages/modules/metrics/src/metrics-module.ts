import { isAbsolute, resolve } from 'node:path';
import { arg, defineModule, errorMessage, fn, luaList, luaTable, SlothError, strictTable, z } from '@sloth/core';
import { parseArgs } from '@sloth/core/internal';
import type { MetricKind } from './custom-metrics.js';

/** The registry side, with prom-client: loaded by the first metric a run defines, not by every run. */
const registrySide = () => import('./custom-metrics.js');

import { systemMetrics } from './system-metrics.js';

const nameArg = z.string().min(1, 'expected a metric name');
const labels = luaTable(
  z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  'expected labels as a table of name = value pairs, e.g. { env = "prod" }',
).optional();
const plainOptions = strictTable({ help: z.string().max(1024).optional(), labels });
const histogramOptions = strictTable({
  help: z.string().max(1024).optional(),
  labels,
  buckets: luaList(z.array(z.number())).optional(),
});
const OPTIONS_DOC = '{ help = "what it counts", labels = { env = "prod" } }';
const HISTOGRAM_DOC = '{ help = "...", labels = { env = "prod" }, buckets = { 0.1, 0.5, 1, 5 } }';

/** The Lua side of counter, gauge and histogram: a handle whose methods record on the declared series. */
function handleLua(kind: MetricKind, methods: string[]): string {
  const bodies = methods.map((m) => `h.${m} = function(self, v) M._record(ref, '${m}', v) return self end`).join('\n  ');
  return `function(name, opts)
  local ref = M._declare('${kind}', name, opts)
  local h = { name = ref.name }
  ${bodies}
  return h
end`;
}

const counter = fn({
  doc:
    "A counter of this process, exported on /metrics as sloth_NAME (an agent's, for delegated tasks): it only goes up. " +
    'The same name and labels give the same series, across tasks and runs; other label values, another series.',
  args: [arg('name', nameArg, 'Prometheus name: letters, digits, _'), arg('opts', plainOptions.optional(), OPTIONS_DOC)],
  returns: 'a counter: { name } with :inc(n = 1)',
  examples: ['metrics.counter("deploys_total", { help = "Deployments", labels = { env = "prod" } }):inc()'],
  lua: handleLua('counter', ['inc']),
  run: () => {
    throw new SlothError('internal', 'metrics.counter runs through its Lua wrapper');
  },
});

const gauge = fn({
  doc: 'A gauge of this process, exported as sloth_NAME: a value that goes up and down.',
  args: [arg('name', nameArg, 'Prometheus name'), arg('opts', plainOptions.optional(), OPTIONS_DOC)],
  returns: 'a gauge: { name } with :set(v), :inc(n = 1), :dec(n = 1)',
  examples: ['local q = metrics.gauge("queue_length", { labels = { queue = "mail" } })\nq:set(12)\nq:dec()'],
  lua: handleLua('gauge', ['set', 'inc', 'dec']),
  run: () => {
    throw new SlothError('internal', 'metrics.gauge runs through its Lua wrapper');
  },
});

const histogram = fn({
  doc: 'A histogram of this process, exported as sloth_NAME (_bucket, _sum, _count): observed values counted into buckets (default 0.005 to 10).',
  args: [arg('name', nameArg, 'Prometheus name'), arg('opts', histogramOptions.optional(), HISTOGRAM_DOC)],
  returns: 'a histogram: { name } with :observe(v)',
  examples: ['metrics.histogram("payload_bytes", { buckets = { 1024, 65536, 1048576 } }):observe(4096)'],
  lua: handleLua('histogram', ['observe']),
  run: () => {
    throw new SlothError('internal', 'metrics.histogram runs through its Lua wrapper');
  },
});

const timer = fn({
  doc: 'Runs fn, observes how long it took in seconds in the histogram NAME (also when it fails), and returns what fn returned (or raises its error).',
  args: [
    arg('name', nameArg, 'Prometheus name of the histogram, e.g. backup_seconds'),
    arg(
      'fn',
      z.unknown().refine((v) => v !== undefined, 'expected a function'),
      'the function to time',
    ),
    arg('opts', histogramOptions.optional(), HISTOGRAM_DOC),
  ],
  returns: "fn's results",
  examples: ['local rows = metrics.timer("import_seconds", function() return import_rows() end)'],
  lua: `function(name, f, opts)
  if type(f) ~= 'function' then error('metrics.timer: argument #2 (fn): expected a function, got ' .. type(f), 2) end
  local h = M.histogram(name, opts)
  local started = M._clock()
  local r = table.pack(pcall(f))
  h:observe(M._clock() - started)
  if not r[1] then error(r[2], 0) end
  return table.unpack(r, 2, r.n)
end`,
  run: () => {
    throw new SlothError('internal', 'metrics.timer runs in Lua');
  },
});

const system = fn({
  doc:
    "This machine's CPU use (measured over 0.2 s), memory, the disk holding path (default /), load and uptime: " +
    '{ hostname, cpus, cpu_percent, load1, load5, load15, memory_total_bytes, memory_free_bytes, memory_used_percent, ' +
    'disk_path, disk_total_bytes, disk_free_bytes, disk_used_percent, uptime_seconds }.',
  args: [arg('opts', strictTable({ path: z.string().min(1).optional() }).optional(), '{ path = "/var" }')],
  returns: 'table',
  examples: ['local s = metrics.system()\nif s.disk_used_percent > 90 then log.warn("disk almost full") end'],
  run: async ([opts], ctx) => {
    const path = opts?.path ?? '/';
    const at = isAbsolute(path) ? path : resolve(ctx.workdir, path);
    try {
      return await systemMetrics(at, ctx.signal);
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      throw new SlothError('not_found', `${ctx.fn}: cannot read the disk of ${at}: ${errorMessage(err)}`, {
        hint: 'give a path that exists: { path = "/" }',
      });
    }
  },
});

/** The public spec of each kind: a declaration's arguments are checked against it, for its messages. */
const SPECS = { counter, gauge, histogram } as const;

const declareInternal = fn({
  doc: 'metrics.counter/gauge/histogram (internal).',
  args: [arg('kind', z.enum(['counter', 'gauge', 'histogram'])), arg('name', z.unknown()), arg('opts', z.unknown())],
  returns: 'table',
  run: async ([kind, rawName, rawOpts], ctx) => {
    const module = ctx.fn.slice(0, ctx.fn.lastIndexOf('.'));
    const [name, opts] = parseArgs(module, kind, SPECS[kind], [rawName, rawOpts]) as [
      string,
      { help?: string; labels?: Record<string, string | number | boolean>; buckets?: number[] } | undefined,
    ];
    const { declareMetric } = await registrySide();
    return declareMetric(kind, name, opts ?? {}, `${module}.${kind}`);
  },
});

const seriesArg = z.object({
  name: z.string(),
  kind: z.enum(['counter', 'gauge', 'histogram']),
  labels: luaTable(z.record(z.string(), z.string())),
});

const recordInternal = fn({
  doc: 'A handle method (internal).',
  args: [arg('series', seriesArg), arg('op', z.enum(['inc', 'dec', 'set', 'observe'])), arg('value', z.unknown())],
  returns: 'nothing',
  run: async ([series, op, value], ctx) => {
    const module = ctx.fn.slice(0, ctx.fn.lastIndexOf('.'));
    const where = `${module}.${series.kind}(...):${op}`;
    const byDefault = op === 'inc' || op === 'dec' ? 1 : undefined;
    const v = value ?? byDefault;
    if (typeof v !== 'number') {
      throw new SlothError('invalid_argument', `${where}: expected a number, got ${value === undefined ? 'nil' : typeof value}`, {
        hint: `e.g. :${op}(${op === 'observe' ? '0.25' : '1'})`,
      });
    }
    const { recordMetric } = await registrySide();
    recordMetric(series, op, v, where);
  },
});

const clockInternal = fn({
  doc: 'Seconds on a monotonic clock (internal, metrics.timer).',
  args: [],
  returns: 'number',
  run: () => performance.now() / 1000,
});

/**
 * The `metrics` module: Prometheus counters, gauges, histograms and timers defined by workflows, kept in this process's
 * registry (exported on an agent's /metrics), and this machine's system metrics. Not available in goroutines (their
 * threads would have registries of their own that nothing exports), so it declares no importFrom.
 */
export const metricsModule = defineModule({
  name: 'metrics',
  doc:
    'Prometheus metrics from workflows: counters, gauges, histograms and timers, exported as sloth_NAME on the /metrics ' +
    "of the process that runs the task (an agent's --metrics-port for delegated tasks; a CLI run keeps them in its own " +
    "process), and system() for this machine's CPU, memory, disk and load. Names and labels follow Prometheus rules.",
  functions: { counter, gauge, histogram, timer, system },
  internals: { _declare: declareInternal, _record: recordInternal, _clock: clockInternal },
});
