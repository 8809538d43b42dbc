import { mkdtempSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eventRepo } from './event-repo.js';
import { hookRepo } from './hook-repo.js';
import { openStore, type Store } from './open-store.js';

const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

function fresh() {
  const store = openStore(mkdtempSync(join(tmpdir(), 'sloth-hooks-')));
  stores.push(store);
  return { store, hooks: hookRepo(store), events: eventRepo(store) };
}

const hook = (name: string, eventType = 'task.failed') => ({
  name,
  eventType,
  stack: undefined,
  enabled: true,
  source: 'return {}',
  path: '/tmp/h.lua',
  timeoutMs: 30_000,
  maxAttempts: 3,
});

describe('HookRepo', () => {
  it('saves, replaces, lists, enables and disables, removes', () => {
    const { hooks } = fresh();
    expect(hooks.save(hook('notify')).replaced).toBe(false);
    const again = hooks.save({ ...hook('notify', 'task.*'), stack: 'prod' });
    expect(again.replaced).toBe(true);
    expect(again.hook).toMatchObject({ name: 'notify', eventType: 'task.*', stack: 'prod', enabled: true });
    hooks.save(hook('audit', '*'));
    expect(hooks.list().map((h) => h.name)).toEqual(['audit', 'notify']);
    expect(hooks.setEnabled('audit', false).enabled).toBe(false);
    expect(hooks.enabled().map((h) => h.name)).toEqual(['notify']);
    expect(hooks.enabledCount()).toBe(1);
    hooks.remove('audit');
    expect(hooks.find('audit')).toBeUndefined();
  });

  it('an unknown name is not_found with the nearest name', () => {
    const { hooks } = fresh();
    hooks.save(hook('notify_failures'));
    expect(() => hooks.get('notify_failure')).toThrow("no hook named 'notify_failure' (did you mean 'notify_failures'?)");
    expect(() => hooks.remove('zzz')).toThrow(/no hook named 'zzz'/);
  });

  it('refuses an invalid event pattern', () => {
    const { hooks } = fresh();
    expect(() => hooks.save(hook('x', 'Task Failed'))).toThrow(/invalid event type pattern/);
  });

  it('history and summaries come from the executions table', () => {
    const { hooks, events } = fresh();
    hooks.save(hook('notify'));
    hooks.save(hook('quiet'));
    const owner = { token: 't', host: hostname(), pid: process.pid };
    const ids = [events.dispatch('task.failed', {}, { source: 'cli' }), events.dispatch('task.failed', {}, { source: 'cli' })];
    events.claim(owner, 2, 60_000);
    events.finish(
      owner,
      ids.map((id, i) => ({
        id,
        status: 'completed' as const,
        executions: [
          {
            hook: 'notify',
            attempt: 1,
            success: i === 1,
            output: `run ${i}`,
            error: undefined,
            durationMs: 2,
            startedAt: 1000 + i,
          },
        ],
      })),
    );
    expect(hooks.history('notify').map((e) => e.output)).toEqual(['run 1', 'run 0']);
    expect(hooks.history('notify', 1)).toHaveLength(1);
    const summaries = hooks.summaries();
    expect(summaries.find((s) => s.name === 'notify')).toMatchObject({
      executions: 2,
      lastExecution: { output: 'run 1', success: true },
    });
    expect(summaries.find((s) => s.name === 'quiet')).toMatchObject({ executions: 0, lastExecution: undefined });
  });
});
