import { processRegistry } from '@sloth/metrics';
import { describe, expect, it } from 'vitest';
import { declareMetric, recordMetric } from './custom-metrics.js';

describe('metrics defined by workflows', () => {
  it('add up in the process registry, per series of label values', async () => {
    const prod = declareMetric('counter', 'unit_deploys_total', { help: 'Deploys', labels: { env: 'prod' } }, 'f');
    const dev = declareMetric('counter', 'unit_deploys_total', { labels: { env: 'dev' } }, 'f');
    recordMetric(prod, 'inc', 2, 'f');
    recordMetric(declareMetric('counter', 'unit_deploys_total', { labels: { env: 'prod' } }, 'f'), 'inc', 1, 'f');
    recordMetric(dev, 'inc', 1, 'f');
    const g = declareMetric('gauge', 'unit_level', {}, 'f');
    recordMetric(g, 'set', 10, 'f');
    recordMetric(g, 'dec', 4, 'f');
    const h = declareMetric('histogram', 'unit_size', { buckets: [1, 10] }, 'f');
    recordMetric(h, 'observe', 5, 'f');
    const text = await processRegistry().metrics();
    expect(text).toContain('# HELP sloth_unit_deploys_total Deploys');
    expect(text).toContain('sloth_unit_deploys_total{env="prod"} 3');
    expect(text).toContain('sloth_unit_deploys_total{env="dev"} 1');
    expect(text).toContain('sloth_unit_level 6');
    expect(text).toContain('sloth_unit_size_bucket{le="10"} 1');
    expect(text).toContain('sloth_unit_size_bucket{le="1"} 0');
  });

  it('refuses a second declaration that disagrees, a counter going down, bad buckets and non-numbers', () => {
    declareMetric('counter', 'unit_once_total', {}, 'f');
    expect(() => declareMetric('gauge', 'unit_once_total', {}, 'metrics.gauge')).toThrow(
      "metrics.gauge: metric 'unit_once_total' is already a counter with labels {}",
    );
    expect(() => declareMetric('counter', 'unit_once_total', { labels: { a: 1 } }, 'f')).toThrow('already a counter');
    const c = declareMetric('counter', 'unit_up_total', {}, 'f');
    expect(() => recordMetric(c, 'inc', -1, 'f')).toThrow('cannot go down');
    expect(() => recordMetric(c, 'inc', Number.NaN, 'f')).toThrow('finite number');
    expect(() => declareMetric('histogram', 'unit_h', { buckets: [2, 1] }, 'f')).toThrow('increasing');
    expect(() => declareMetric('histogram', 'unit_h', { buckets: [] }, 'f')).toThrow('increasing');
  });
});
