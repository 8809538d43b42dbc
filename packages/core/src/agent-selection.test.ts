import { describe, expect, it } from 'vitest';
import { type AgentSummary, selectAgents } from './agent-selection.js';

const agent = (name: string, role: string, load: Partial<AgentSummary> = {}): AgentSummary => ({
  name,
  active: true,
  labels: { role },
  cpuPercent: 10,
  memoryPercent: 20,
  runningWork: 0,
  ...load,
});

const fleet = [
  agent('web-1', 'web', { cpuPercent: 90 }),
  agent('web-2', 'web', { cpuPercent: 5 }),
  agent('web-3', 'web', { runningWork: 2 }),
  agent('db-1', 'db'),
  agent('web-4', 'web', { active: false }),
];

describe('selectAgents', () => {
  it('takes every active agent with the labels, or the least loaded ones', () => {
    expect(selectAgents(fleet, { labels: { role: 'web' } })).toEqual(['web-1', 'web-2', 'web-3']);
    expect(selectAgents(fleet, { labels: { role: 'web' }, count: 1 })).toEqual(['web-2']);
    // Queue weighs 100 per running work item; with it at 0, web-3 (cpu 10) beats web-1 (cpu 90).
    expect(selectAgents(fleet, { labels: { role: 'web' }, count: 2, criteria: { queueWeight: 0 } })).toEqual(['web-2', 'web-3']);
  });

  it('applies constraints, and says why none qualifies, naming the agents there are', () => {
    expect(selectAgents(fleet, { labels: { role: 'web' }, constraints: { maxCpuPercent: 50, maxQueueSize: 0 } })).toEqual([
      'web-2',
    ]);
    expect(() => selectAgents(fleet, { labels: { role: 'web' }, constraints: { maxCpuPercent: 1 } })).toThrow(
      'cannot choose an agent: 3 active agent(s) with labels role=web are over the constraints',
    );
    const err = (() => {
      try {
        selectAgents(fleet, { labels: { role: 'cache' } });
      } catch (e) {
        return e as Error & { hint: string };
      }
    })();
    expect(err?.message).toBe('cannot choose an agent: no active agent with labels role=cache');
    expect(err?.hint).toContain('web-4 (inactive) [role=web]');
  });

  it('round robin goes in turn; random and weighted stay among those that qualify', () => {
    const turns = Array.from(
      { length: 6 },
      () => selectAgents(fleet, { labels: { role: 'db' }, count: 1, strategy: 'round_robin' })[0],
    );
    expect(new Set(turns)).toEqual(new Set(['db-1']));
    const web = Array.from(
      { length: 6 },
      () => selectAgents(fleet, { labels: { role: 'web' }, count: 1, strategy: 'round_robin' })[0],
    );
    expect(web).toEqual(['web-1', 'web-2', 'web-3', 'web-1', 'web-2', 'web-3']);
    let seed = 0.1;
    const random = () => {
      seed = (seed * 9301 + 0.49297) % 1;
      return seed;
    };
    for (const strategy of ['random', 'weighted'] as const) {
      const picked = selectAgents(fleet, { labels: { role: 'web' }, count: 2, strategy }, random);
      expect(picked).toHaveLength(2);
      expect(new Set(picked).size).toBe(2);
      for (const p of picked) expect(['web-1', 'web-2', 'web-3']).toContain(p);
    }
  });
});
