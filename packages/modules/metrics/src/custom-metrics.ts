import { SlothError } from '@sloth/core';
import { Counter, checkLabelName, customMetricName, Gauge, Histogram, processRegistry } from '@sloth/metrics';

export type MetricKind = 'counter' | 'gauge' | 'histogram';

/** What a workflow gives when it names a metric. */
export interface MetricOptions {
  help?: string | undefined;
  labels?: Record<string, string | number | boolean> | undefined;
  buckets?: number[] | undefined;
}

type AnyMetric = Counter<string> | Gauge<string> | Histogram<string>;

/** The family behind each exported name, with what it was declared with (a second declaration must agree). */
const families = new Map<string, { kind: MetricKind; labelNames: string[]; buckets: string; metric: AnyMetric }>();

/** A handle's identity, as Lua keeps it: the family's exported name and the label values of its series. */
export interface SeriesRef {
  name: string;
  kind: MetricKind;
  labels: Record<string, string>;
}

/**
 * Declares (or finds) a workflow's metric in this process's registry and returns the series its labels pick. The
 * same name declared again must have the same kind, label names and buckets: a metric's runs add up, across tasks
 * and runs of the process.
 */
export function declareMetric(kind: MetricKind, name: string, options: MetricOptions, where: string): SeriesRef {
  const exported = customMetricName(name, where);
  const labels = Object.fromEntries(Object.entries(options.labels ?? {}).map(([k, v]) => [k, String(v)]));
  const labelNames = Object.keys(labels).sort();
  for (const l of labelNames) checkLabelName(l, where);
  const buckets = kind === 'histogram' ? checkBuckets(options.buckets, where) : undefined;
  const bucketsText = buckets?.join(',') ?? '';
  const known = families.get(exported);
  if (known) {
    if (known.kind !== kind || known.labelNames.join(',') !== labelNames.join(',') || known.buckets !== bucketsText) {
      throw new SlothError(
        'invalid_argument',
        `${where}: metric '${name}' is already a ${known.kind} with labels {${known.labelNames.join(', ')}}${known.buckets ? ` and buckets {${known.buckets}}` : ''}`,
        { hint: 'declare it the same way everywhere, or give this one another name' },
      );
    }
    return { name: exported, kind, labels };
  }
  const help = options.help ?? `${name} (defined by a workflow)`;
  const config = { name: exported, help, labelNames, registers: [processRegistry()] };
  let metric: AnyMetric;
  try {
    metric =
      kind === 'counter'
        ? new Counter(config)
        : kind === 'gauge'
          ? new Gauge(config)
          : new Histogram({ ...config, ...(buckets ? { buckets } : {}) });
  } catch (err) {
    // The process's own metrics (sloth_process_*) are reserved by customMetricName; this is a last resort.
    throw new SlothError('invalid_argument', `${where}: cannot define metric '${name}': ${(err as Error).message}`);
  }
  families.set(exported, { kind, labelNames, buckets: bucketsText, metric });
  return { name: exported, kind, labels };
}

/** inc, dec, set or observe on a series declared by declareMetric. */
export function recordMetric(series: SeriesRef, op: 'inc' | 'dec' | 'set' | 'observe', value: number, where: string): void {
  const family = families.get(series.name);
  if (!family || family.kind !== series.kind) {
    throw new SlothError('invalid_argument', `${where}: not a metric of this process`, {
      hint: 'use the value metrics.counter, metrics.gauge or metrics.histogram returned',
    });
  }
  if (!Number.isFinite(value)) throw new SlothError('invalid_argument', `${where}: expected a finite number, got ${value}`);
  const m = family.metric;
  if (m instanceof Counter) {
    if (op !== 'inc') throw new SlothError('invalid_argument', `${where}: a counter only goes up (inc)`);
    if (value < 0)
      throw new SlothError('invalid_argument', `${where}: a counter cannot go down (inc by ${value})`, {
        hint: 'use a gauge for a value that goes up and down',
      });
    m.inc(series.labels, value);
  } else if (m instanceof Gauge) {
    if (op === 'inc') m.inc(series.labels, value);
    else if (op === 'dec') m.dec(series.labels, value);
    else if (op === 'set') m.set(series.labels, value);
  } else if (op === 'observe') {
    m.observe(series.labels, value);
  }
}

/** Histogram buckets: a non-empty list of increasing finite numbers (the +Inf bucket is always added). */
function checkBuckets(buckets: number[] | undefined, where: string): number[] | undefined {
  if (buckets === undefined) return undefined;
  const increasing = buckets.every((b, i) => Number.isFinite(b) && (i === 0 || b > (buckets[i - 1] as number)));
  if (buckets.length === 0 || !increasing) {
    throw new SlothError('invalid_argument', `${where}: buckets must be a non-empty list of increasing numbers`, {
      hint: 'e.g. buckets = { 0.1, 0.5, 1, 5 }',
    });
  }
  return buckets;
}
