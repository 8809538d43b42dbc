import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunEvent, RunResult } from '@sloth/core/internal';
import { openStore, runRepo, type Store } from '@sloth/store-sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { RunRecorder } from './run-recorder.js';

const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

function fresh(): Store {
  const store = openStore(mkdtempSync(join(tmpdir(), 'sloth-run-recorder-')));
  stores.push(store);
  return store;
}

const log = (message: string, at = 2): RunEvent => ({ type: 'task.log', runId: 'r1', task: 't', level: 'info', message, at });

describe('RunRecorder', () => {
  it('records the run from its events, its log cut at the limit with one line saying so', () => {
    const store = fresh();
    const errors: string[] = [];
    const recorder = new RunRecorder(
      () => store,
      (m) => errors.push(m),
      3,
    );
    recorder.observe({ type: 'workflow.started', runId: 'r1', workflow: 'w', tasks: ['t'], at: Date.now() }, 'w', 'prod');
    recorder.observe({ type: 'task.started', runId: 'r1', task: 't', attempt: 1, at: 1 }, 'w', 'prod');
    for (const m of ['one', 'two', 'three', 'four', 'five']) recorder.observe(log(m), 'w', 'prod');
    const result = { status: 'failed', error: 'command `curl -H token` exited with code 7', tasks: [] } as unknown as RunResult;
    recorder.observe({ type: 'workflow.finished', runId: 'r1', result, at: Date.now() }, 'w', 'prod');

    const repo = runRepo(store);
    expect(repo.logs('r1', 0, 10).map((l) => l.message)).toEqual([
      'one',
      'two',
      'three',
      '(the log of this run is cut at 3 lines: the rest was not recorded)',
    ]);
    expect(repo.get('r1')).toMatchObject({ workflow: 'w', stack: 'prod', status: 'failed', error: 'command exited with code 7' });
    expect(repo.tasks('r1')).toMatchObject([{ name: 't', status: 'running', attempts: 1 }]);
    expect(errors).toEqual([]);
  });

  it('reports a write that fails and lets the run go on', () => {
    const store = fresh();
    const errors: string[] = [];
    const recorder = new RunRecorder(
      () => store,
      (m) => errors.push(m),
    );
    store.close();
    recorder.observe({ type: 'workflow.started', runId: 'r1', workflow: 'w', tasks: [], at: 1 }, 'w', undefined);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^could not record the run's workflow.started: /);
    stores.splice(0);
  });
});
