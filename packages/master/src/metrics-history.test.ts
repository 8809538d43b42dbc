import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from '@bufbuild/protobuf';
import { SystemInfoSchema } from '@sloth/proto';
import { agentMetricsRepo, openStore, type Store } from '@sloth/store-sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { MetricsHistory } from './metrics-history.js';

const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

function history(intervalMs: number, retentionMs: number, heartbeatMs: number) {
  const store = openStore(mkdtempSync(join(tmpdir(), 'sloth-metrics-')));
  stores.push(store);
  const count = () => (store.sqlite.prepare('SELECT count(*) AS n FROM agent_metrics').get() as { n: number }).n;
  return { h: new MetricsHistory(agentMetricsRepo(store), { intervalMs, retentionMs }, heartbeatMs / 2), count, store };
}

const system = (load1: number) =>
  create(SystemInfoSchema, {
    load1,
    memoryTotalBytes: 8n << 30n,
    memoryFreeBytes: 2n << 30n,
    diskTotalBytes: 100n,
    diskFreeBytes: 40n,
  });

describe('MetricsHistory', () => {
  it('keeps one sample per interval per agent, in order, and answers from the store and what is not yet written', () => {
    const { h } = history(60_000, 3_600_000, 5000);
    // Heartbeats every 5s, a little early or late: one sample a minute, without drifting.
    for (let i = 0; i <= 60; i++) h.offer('web-01', i * 5000 + (i % 2 === 0 ? 0 : -300), system(i), i % 3);
    h.flush(300_000);
    h.offer('web-01', 360_000, system(99), 1);
    const samples = h.samples('web-01', 0, 1000, 360_000);
    expect(samples.map((s) => s.at)).toEqual([0, 60_000, 120_000, 180_000, 240_000, 300_000, 360_000]);
    expect(samples[1]).toMatchObject({
      agent: 'web-01',
      load1: 12,
      memoryTotal: 8 * 2 ** 30,
      memoryFree: 2 * 2 ** 30,
      runningWork: 0,
    });
    expect(h.samples('web-01', 120_000, 1000, 360_000).map((s) => s.at)).toEqual([240_000, 300_000, 360_000]);
    expect(h.samples('web-01', 0, 2, 360_000).map((s) => s.at)).toEqual([300_000, 360_000]);
    expect(h.samples('db-01', 0, 1000, 360_000)).toEqual([]);
    // A heartbeat without system info (an agent of another version) is no sample.
    h.offer('db-01', 360_000, undefined, 0);
    expect(h.samples('db-01', 0, 1000, 360_000)).toEqual([]);
  });

  it('stays bounded: 200 agents heartbeating every 5s for 3 hours keep at most retention / interval samples each', () => {
    const { h, count } = history(60_000, 3_600_000, 5000);
    const agents = Array.from({ length: 200 }, (_, i) => `agent-${i}`);
    for (let now = 0; now <= 3 * 3_600_000; now += 5000) {
      for (const a of agents) h.offer(a, now, system(1), 0);
      h.flush(now);
    }
    // 60 samples an hour each, plus the one of the minute the last prune ran in.
    expect(count()).toBeLessThanOrEqual(200 * 61);
    expect(count()).toBeGreaterThanOrEqual(200 * 59);
    const kept = h.samples('agent-7', 0, 100_000, 3 * 3_600_000);
    expect(kept[0]?.at).toBeGreaterThanOrEqual(2 * 3_600_000);
  });

  it('forgets an agent (agent delete), written samples and pending ones', () => {
    const { h, count } = history(1000, 60_000, 500);
    h.offer('a', 0, system(1), 0);
    h.offer('b', 0, system(1), 0);
    h.flush(0);
    h.offer('a', 1000, system(1), 0);
    h.forget('a');
    h.flush(1000);
    expect(count()).toBe(1);
    expect(h.samples('a', 0, 10, 1000)).toEqual([]);
    // A new agent of that name starts afresh.
    h.offer('a', 1200, system(2), 0);
    expect(h.samples('a', 0, 10, 1200).map((s) => s.at)).toEqual([1200]);
  });
});
