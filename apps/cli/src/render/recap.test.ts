import type { RunResult, TaskResult } from '@sloth/core';
import { describe, expect, it } from 'vitest';
import { formatRecap, runRecap } from './recap.js';

const task = (name: string, extra: Partial<TaskResult>): TaskResult => ({
  name,
  status: 'success',
  attempts: 1,
  durationMs: 1,
  ...extra,
});

describe('runRecap', () => {
  it('counts tasks per host like Ansible: ok includes changed; delegated tasks count on each agent', () => {
    const result: RunResult = {
      runId: 'r',
      workflow: 'w',
      status: 'failed',
      durationMs: 10,
      tasks: [
        task('a', { changed: true }),
        task('b', { changed: false }),
        task('c', {}),
        task('d', { status: 'skipped', skipReason: 'check_mode' }),
        task('e', { status: 'failed' }),
        task('handler', { status: 'skipped', skipReason: 'not_notified' }),
        task('f', {
          changed: true,
          agents: {
            'web-01': { status: 'success', durationMs: 1, changed: true },
            'web-02': { status: 'failed', durationMs: 1 },
          },
        }),
      ],
    };
    const recap = runRecap(result);
    expect(recap).toEqual({
      localhost: { ok: 3, changed: 1, failed: 1, skipped: 1 },
      'web-01': { ok: 1, changed: 1, failed: 0, skipped: 0 },
      'web-02': { ok: 0, changed: 0, failed: 1, skipped: 0 },
    });
    expect(formatRecap(recap)).toEqual([
      'localhost : ok=3 changed=1 failed=1 skipped=1',
      'web-01    : ok=1 changed=1 failed=0 skipped=0',
      'web-02    : ok=0 changed=0 failed=1 skipped=0',
    ]);
  });

  it('a task whose calls changed agents (target = ...) counts on localhost and, changed, on each of those agents', () => {
    const change = (host?: string) => ({ module: 'file_ops', function: 'copy', target: '/etc/x', changes: {}, host });
    const result: RunResult = {
      runId: 'r',
      workflow: 'w',
      status: 'success',
      durationMs: 10,
      tasks: [
        task('remote_only', { changed: true, changes: [change('web-01')] }),
        task('both', { changed: true, changes: [change('web-02'), change()] }),
      ],
    };
    expect(runRecap(result)).toEqual({
      localhost: { ok: 2, changed: 1, failed: 0, skipped: 0 },
      'web-01': { ok: 1, changed: 1, failed: 0, skipped: 0 },
      'web-02': { ok: 1, changed: 1, failed: 0, skipped: 0 },
    });
  });
});
