import { describe, expect, it } from 'vitest';
import { checkLabelName, checkMetricName, customMetricName } from './metric-names.js';

describe('Prometheus names', () => {
  it('accepts valid metric and label names, refuses the rest naming them', () => {
    expect(() => checkMetricName('deploys_total', 'f')).not.toThrow();
    expect(() => checkMetricName('_x9', 'f')).not.toThrow();
    for (const bad of ['9lives', 'a-b', 'a b', '', 'a:b', 'é']) expect(() => checkMetricName(bad, 'f'), bad).toThrow(`'${bad}'`);
    expect(() => checkLabelName('env', 'f')).not.toThrow();
    for (const bad of ['__name', 'le', 'quantile', '1x', 'a.b']) expect(() => checkLabelName(bad, 'f'), bad).toThrow(`'${bad}'`);
  });

  it("a workflow's metric is exported as sloth_NAME, never as one of Sloth Runner's own families", () => {
    expect(customMetricName('deploys_total', 'f')).toBe('sloth_deploys_total');
    expect(customMetricName('sloth_deploys_total', 'f')).toBe('sloth_deploys_total');
    for (const taken of [
      'agents',
      'sloth_agents',
      'agent_x',
      'rpc_requests_total',
      'process_cpu',
      'nodejs_heap',
      'hook_x',
      'sloth_',
    ])
      expect(() => customMetricName(taken, 'metrics.counter'), taken).toThrow('reserved');
  });
});
