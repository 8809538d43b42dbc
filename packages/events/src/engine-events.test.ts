import { describe, expect, it } from 'vitest';
import { engineEvent } from './engine-events.js';

const at = 0;
const runId = 'r1';

describe('engineEvent', () => {
  it('maps task results to task.completed|failed|timeout|skipped with the spec data shape', () => {
    const finished = (status: 'success' | 'failed' | 'timeout' | 'skipped' | 'aborted') =>
      engineEvent(
        {
          type: 'task.finished',
          runId,
          at,
          task: 'build',
          result: { name: 'build', status, attempts: 2, durationMs: 12.4, error: 'exit 1' },
        },
        'ci',
      );
    expect(finished('success')?.type).toBe('task.completed');
    expect(finished('failed')).toEqual({
      type: 'task.failed',
      data: {
        workflow: 'ci',
        run_id: 'r1',
        task: {
          task_name: 'build',
          status: 'failed',
          attempts: 2,
          duration_ms: 12,
          error: 'exit 1',
          skip_reason: undefined,
          changed: undefined,
        },
      },
    });
    expect(finished('timeout')?.type).toBe('task.timeout');
    expect(finished('skipped')?.type).toBe('task.skipped');
    expect(finished('aborted')).toMatchObject({ type: 'task.failed', data: { task: { status: 'aborted' } } });
  });

  it('says whether a task changed something, and names each change without its values or diff', () => {
    const completed = engineEvent(
      {
        type: 'task.finished',
        runId,
        at,
        task: 'conf',
        result: { name: 'conf', status: 'success', attempts: 1, durationMs: 1, changed: true },
      },
      'ci',
    );
    expect(completed?.data.task).toMatchObject({ changed: true });
    const change = engineEvent(
      {
        type: 'resource.changed',
        runId,
        at,
        task: 'conf',
        checkMode: true,
        change: {
          module: 'file_ops',
          function: 'copy',
          target: '/etc/app.conf',
          changes: { content: { old: 'sha256:1', new: 'sha256:2' }, mode: { old: '0600', new: '0644' } },
          diff: '--- before: /etc/app.conf\n+++ after: /etc/app.conf\n-password=old\n+password=hunter2\n',
          host: 'web-01',
        },
      },
      'ci',
    );
    expect(change).toEqual({
      type: 'resource.changed',
      data: {
        workflow: 'ci',
        run_id: 'r1',
        task: 'conf',
        module: 'file_ops',
        function: 'copy',
        target: '/etc/app.conf',
        properties: ['content', 'mode'],
        check_mode: true,
        agent_name: 'web-01',
      },
    });
    expect(JSON.stringify(change)).not.toContain('hunter2');
  });

  it('carries the code, hint and location of a task failure, and the code of the failure a retry follows', () => {
    const failed = engineEvent(
      {
        type: 'task.finished',
        runId,
        at,
        task: 'write',
        result: {
          name: 'write',
          status: 'failed',
          attempts: 1,
          durationMs: 3,
          error: 'deploy.sloth:7: fs.write: argument #1 (path): expected string, got table',
          errorCode: 'invalid_argument',
          errorHint: 'fs.write(path, content)',
          errorLocation: 'deploy.sloth:7',
        },
      },
      'ci',
    );
    expect(failed?.data.task).toMatchObject({
      error_code: 'invalid_argument',
      error_hint: 'fs.write(path, content)',
      error_location: 'deploy.sloth:7',
    });
    const retrying = engineEvent(
      { type: 'task.retrying', runId, at, task: 'fetch', attempt: 2, delayMs: 10, error: 'exit 1', errorCode: 'task_failed' },
      'ci',
    );
    expect(retrying?.data.task).toMatchObject({ error_code: 'task_failed' });
  });

  it('says where a delegated task ran: agent_name, and each agent status and error (command lines left out)', () => {
    const e = engineEvent(
      {
        type: 'task.finished',
        runId,
        at,
        task: 'check',
        result: {
          name: 'check',
          status: 'failed',
          attempts: 1,
          durationMs: 5,
          error: 'failed on web-02',
          agents: {
            'web-01': { status: 'success', durationMs: 3 },
            'web-02': { status: 'failed', durationMs: 4, error: 'command `curl -H "token: s3cret" x` exited with code 7' },
          },
        },
      },
      'ci',
    );
    expect(e?.data.task).toMatchObject({
      agent_name: 'web-01, web-02',
      agents: { 'web-01': { status: 'success' }, 'web-02': { status: 'failed', error: 'command exited with code 7' } },
    });
    expect(JSON.stringify(e)).not.toContain('s3cret');
  });

  it('maps workflow start and end, task start and retry; log lines are not events', () => {
    expect(engineEvent({ type: 'workflow.started', runId, at, workflow: 'ci', tasks: ['a'] }, 'ci')).toEqual({
      type: 'workflow.started',
      data: { workflow: 'ci', run_id: 'r1', tasks: ['a'] },
    });
    const result = {
      runId,
      workflow: 'ci',
      durationMs: 5,
      tasks: [{ name: 'a', status: 'failed' as const, attempts: 1, durationMs: 1 }],
    };
    expect(engineEvent({ type: 'workflow.finished', runId, at, result: { ...result, status: 'failed' } }, 'ci')).toMatchObject({
      type: 'workflow.failed',
      data: { status: 'failed', tasks: { failed: 1 } },
    });
    expect(engineEvent({ type: 'workflow.finished', runId, at, result: { ...result, status: 'success' } }, 'ci')?.type).toBe(
      'workflow.completed',
    );
    expect(engineEvent({ type: 'task.started', runId, at, task: 'a', attempt: 2 }, 'ci')).toMatchObject({
      type: 'task.started',
      data: { task: { task_name: 'a', attempt: 2 } },
    });
    expect(
      engineEvent({ type: 'task.retrying', runId, at, task: 'a', attempt: 1, delayMs: 500, error: 'boom' }, 'ci'),
    ).toMatchObject({
      type: 'task.retrying',
      data: { task: { task_name: 'a', attempt: 1, error: 'boom', delay_ms: 500 } },
    });
    expect(engineEvent({ type: 'task.log', runId, at, task: 'a', level: 'info', message: 'x' }, 'ci')).toBeUndefined();
  });

  it('leaves the command line of a failed shell command out, keeping the exit status and stderr', () => {
    const e = engineEvent(
      {
        type: 'task.finished',
        runId,
        at,
        task: 'push',
        result: {
          name: 'push',
          status: 'failed',
          attempts: 1,
          durationMs: 1,
          error: 'command `curl -H "token: abc" x` exited with code 22: 403',
        },
      },
      'ci',
    );
    expect((e?.data.task as { error?: string } | undefined)?.error).toBe('command exited with code 22: 403');
  });
});
