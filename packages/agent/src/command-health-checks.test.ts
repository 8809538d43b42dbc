import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processAlive, waitFor } from '@sloth/core/testing';
import { describe, expect, it } from 'vitest';
import { CommandHealthChecks } from './command-health-checks.js';

describe('command health checks (real processes)', () => {
  it('raise health.check_failed after N failing results in a row and health.check_recovered after N passing ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sloth-health-'));
    const flag = join(dir, 'up');
    const events: [string, Record<string, unknown>][] = [];
    const checks = new CommandHealthChecks(
      [{ name: 'app', command: `test -f ${flag} || { echo "app is down" >&2; exit 3; }` }],
      2,
      (type, data) => events.push([type, data]),
    );
    await checks.tick();
    expect(events).toEqual([]);
    await checks.tick();
    expect(events).toEqual([
      [
        'health.check_failed',
        { check: 'app', command: expect.stringContaining('test -f'), exit_code: 3, heartbeats: 2, output: 'app is down' },
      ],
    ]);
    await checks.tick();
    writeFileSync(flag, '');
    // One passing result between failing ones starts the count again: no flapping.
    await checks.tick();
    expect(events).toHaveLength(1);
    await checks.tick();
    expect(events.at(-1)).toEqual(['health.check_recovered', expect.objectContaining({ check: 'app', exit_code: 0 })]);
    expect(events).toHaveLength(2);
  });

  it('never runs a check twice at once, and close() kills the one running', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sloth-health-'));
    const log = join(dir, 'runs');
    const checks = new CommandHealthChecks([{ name: 'slow', command: `echo $$ >> ${log}; exec sleep 30` }], 1, () => {});
    const first = checks.tick();
    await waitFor(() => existsSync(log) && readFileSync(log, 'utf8').endsWith('\n'), 10_000, 'the check to start');
    // Still running: this heartbeat starts nothing.
    await checks.tick();
    const pids = readFileSync(log, 'utf8').trim().split('\n');
    expect(pids).toHaveLength(1);
    checks.close();
    await waitFor(() => !processAlive(Number(pids[0])), 5000, 'the running check to be killed');
    await first;
  });
});
