import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { eventRepo } from './event-repo.js';
import { openStore, type Store } from './open-store.js';

// The statements the event queue really prepares, as SQLite plans them: the dashboard's filters by run and by source
// walk the primary key newest first (no index that every dispatch would pay for), failed events are read through
// their partial index, and the queue's hot path (a run's claims and counts) reads the live indexes.

const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

/** A fresh store whose event repository records every SQL text it prepares. */
function recordingStore(): { store: Store; prepared: string[] } {
  const store = openStore(mkdtempSync(join(tmpdir(), 'sloth-plans-')));
  stores.push(store);
  const prepared: string[] = [];
  const prepare = store.sqlite.prepare.bind(store.sqlite);
  store.sqlite.prepare = ((sql: string) => {
    prepared.push(sql);
    return prepare(sql);
  }) as Database.Database['prepare'];
  return { store, prepared };
}

/** The plan of the one prepared statement that `pattern` matches, as EXPLAIN QUERY PLAN details joined by " | ". */
function planOf(store: Store, prepared: string[], pattern: RegExp, params: unknown[] | Record<string, unknown> = []): string {
  const matches = prepared.filter((sql) => pattern.test(sql));
  expect(matches, `statements matching ${pattern}`).toHaveLength(1);
  const stmt = store.sqlite.prepare(`EXPLAIN QUERY PLAN ${matches[0]}`);
  const rows = (Array.isArray(params) ? stmt.all(...params) : stmt.all(params)) as { detail: string }[];
  return rows.map((r) => r.detail).join(' | ');
}

describe('the event queue’s query plans', () => {
  it('lists by run and by source newest first along the primary key, and reads failed events through their index', () => {
    const { store, prepared } = recordingStore();
    const events = eventRepo(store);
    events.dispatch('deploy.done', {}, { source: 'agent:web-1', runId: 'r1' });
    expect(events.list({ runId: 'r1' })).toHaveLength(1);
    expect(events.list({ source: 'agent:web-1' })).toHaveLength(1);
    expect(events.list({ status: 'failed' })).toEqual([]);
    expect(events.failedCount()).toBe(0);

    expect(planOf(store, prepared, /WHERE run_id = \? ORDER BY id DESC$/, ['r1'])).toBe('SCAN events');
    expect(planOf(store, prepared, /WHERE source = \? ORDER BY id DESC$/, ['agent:web-1'])).toBe('SCAN events');
    expect(planOf(store, prepared, /WHERE status = \? ORDER BY id DESC$/, ['failed'])).toBe(
      'SCAN events USING INDEX events_failed',
    );
    expect(planOf(store, prepared, /^SELECT count\(\*\) FROM events WHERE status = 'failed'$/)).toBe(
      'SCAN events USING COVERING INDEX events_failed',
    );
  });

  it("keeps a run's claims and counts on the live indexes, not on the queue's whole history", () => {
    const { store, prepared } = recordingStore();
    eventRepo(store);
    const claim = { token: 't', host: 'h', pid: 1, until: 1, now: 1, runId: 'r1', limit: 10 };
    const plans = [
      planOf(store, prepared, /WHERE run_id = @runId AND status = 'pending' AND available_at/, claim),
      planOf(store, prepared, /^SELECT \(SELECT count/, { runId: 'r1' }),
      planOf(store, prepared, /^SELECT min\(available_at\)/, ['r1']),
      planOf(store, prepared, /SET status = 'completed'/, { runId: 'r1', now: 1 }),
    ];
    for (const plan of plans) {
      expect(plan).toMatch(/events_pending/);
      expect(plan).not.toMatch(/SCAN events($| \|)/);
    }
    expect(plans[1]).toMatch(/events_processing/);
  });
});
