import { describe, expect, it } from 'vitest';
import { applyLabelChange, effectiveLabels } from './agent-labels.js';

describe('agent labels set on the master', () => {
  it('override the agent’s own, remove them with null, and keep applying after the agent re-registers', () => {
    let overrides = applyLabelChange({}, { role: 'web', zone: 'eu' }, ['tier']);
    expect(overrides).toEqual({ role: 'web', zone: 'eu', tier: null });
    expect(effectiveLabels({ role: 'db', tier: 'gold', os: 'debian' }, overrides)).toEqual({
      role: 'web',
      zone: 'eu',
      os: 'debian',
    });
    // Setting a removed label brings it back; removing a set one removes it whatever the agent says.
    overrides = applyLabelChange(overrides, { tier: 'silver' }, ['zone']);
    expect(effectiveLabels({ zone: 'us' }, overrides)).toEqual({ role: 'web', tier: 'silver' });
  });
});
