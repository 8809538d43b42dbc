import { mkdtempSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, runRepo } from '@sloth/store-sqlite';
import { describe, expect, it } from 'vitest';
import { RunReports } from './run-reports.js';

const RUN = 'r-1';
const ev = (e: Record<string, unknown>) => JSON.stringify({ runId: RUN, at: 1_000, ...e });
const call = (events: string[]) => ({
  runId: RUN,
  workflow: 'deploy',
  stack: 'prod',
  host: 'laptop',
  pid: 4242,
  eventsJson: events,
});

describe('runs reported to the master (a real SQLite store)', () => {
  it('records a run reported in several calls as its CLI would, with the host and pid it ran in', () => {
    const store = openStore(mkdtempSync(join(tmpdir(), 'sloth-reports-')));
    const warnings: string[] = [];
    const reports = new RunReports(store, (_, m) => warnings.push(m));
    try {
      reports.report(
        call([ev({ type: 'workflow.started', workflow: 'deploy', tasks: ['test', 'build'], deps: { build: ['test'] } })]),
      );
      reports.report(
        call([
          ev({ type: 'task.started', task: 'build', attempt: 1 }),
          ev({ type: 'task.log', task: 'build', level: 'info', message: 'compiling' }),
        ]),
      );
      const result = { name: 'build', status: 'success', attempts: 1, durationMs: 12, changed: true };
      reports.report(
        call([
          ev({ type: 'task.finished', task: 'build', result }),
          ev({ type: 'workflow.finished', result: { status: 'success', tasks: [result] }, at: 2_000 }),
        ]),
      );
      const [run] = runRepo(store).latest(1);
      expect(run).toMatchObject({ id: RUN, workflow: 'deploy', stack: 'prod', status: 'success', host: 'laptop', pid: 4242 });
      expect(runRepo(store).tasks(RUN)).toMatchObject([
        { name: 'test', deps: [] },
        { name: 'build', status: 'success', changed: true, deps: ['test'] },
      ]);
      expect(
        runRepo(store)
          .logs(RUN, 0, 10)
          .map((l) => l.message),
      ).toEqual(['compiling']);
      expect(warnings).toEqual([]);
      expect(hostname()).not.toBe('laptop');
    } finally {
      store.close();
    }
  });

  it('refuses a malformed call, an event that is not JSON, of an unknown kind, or of another run (invalid_argument)', () => {
    const store = openStore(mkdtempSync(join(tmpdir(), 'sloth-reports-')));
    const reports = new RunReports(store, () => {});
    try {
      const refused = (raw: unknown) => {
        try {
          reports.report(raw);
        } catch (err) {
          return err as { code: string; message: string };
        }
        throw new Error('accepted');
      };
      expect(refused({ ...call([]), runId: '' })).toMatchObject({
        code: 'invalid_argument',
        message: 'invalid ReportRun: runId Too small: expected string to have >=1 characters',
      });
      expect(refused(call(['{not json']))).toMatchObject({
        code: 'invalid_argument',
        message: expect.stringMatching(/^invalid ReportRun: eventsJson\.0 is not JSON/),
      });
      expect(refused(call([ev({ type: 'agent.registered' })]))).toMatchObject({
        code: 'invalid_argument',
        message: expect.stringMatching(/^invalid ReportRun event 0: type/),
      });
      expect(refused(call([JSON.stringify({ type: 'task.log', runId: 'other', at: 1 })]))).toMatchObject({
        code: 'invalid_argument',
        message: 'invalid ReportRun: event 0 is of run other, not r-1',
      });
      expect(runRepo(store).latest(10)).toEqual([]);
    } finally {
      store.close();
    }
  });

  it('marks interrupted a run not heard of for the timeout (its CLI died); keep-alives and a finished run are left alone', () => {
    const store = openStore(mkdtempSync(join(tmpdir(), 'sloth-reports-')));
    const reports = new RunReports(store, () => {}, 90_000);
    const t0 = Date.now();
    const of = (runId: string, events: Record<string, unknown>[]) => ({
      ...call([]),
      runId,
      eventsJson: events.map((e) => JSON.stringify({ runId, at: t0, ...e })),
    });
    const started = { type: 'workflow.started', workflow: 'deploy', tasks: ['build'], deps: {} };
    try {
      expect(reports.keepAliveMs).toBe(30_000);
      reports.report(of('quiet', [started]));
      reports.report(of('alive', [started]));
      reports.report(of('done', [started]));
      const result = { name: 'build', status: 'success', attempts: 1, durationMs: 1, changed: false };
      reports.report(of('done', [{ type: 'workflow.finished', result: { status: 'success', tasks: [result] } }]));
      // A late keep-alive of the finished run opens it again; it must not become interrupted.
      reports.report(of('done', []));

      reports.sweep(Date.now() + 60_000);
      expect(runRepo(store).get('quiet')?.status).toBe('running');
      reports.report(of('alive', []), Date.now() + 60_000); // a keep-alive, no events
      const later = Date.now() + 91_000;
      reports.sweep(later);
      const quiet = runRepo(store).get('quiet');
      expect(quiet).toMatchObject({ status: 'interrupted', finishedAt: later });
      expect(quiet?.error).toMatch(
        /^its CLI \(laptop, pid 4242\) stopped reporting it for 1m3\ds?: it was killed, or lost its link/,
      );
      expect(runRepo(store).get('alive')?.status).toBe('running');
      expect(runRepo(store).get('done')?.status).toBe('success');
      // Heard of again (its link came back): recorded on, and its end sets its status.
      reports.report(of('quiet', [{ type: 'workflow.finished', result: { status: 'success', tasks: [result] } }]));
      expect(runRepo(store).get('quiet')?.status).toBe('success');
    } finally {
      reports.close();
      store.close();
    }
  });
});
