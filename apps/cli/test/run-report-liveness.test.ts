// A run a CLI reports to a master (`workflow run --master`) while the CLI dies: the master must not show it running
// for ever. The CLI calls the master at least every third of the master's --report-timeout, events or not.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@sloth/core/testing';
import { openStore, type RunRecord, runRepo } from '@sloth/store-sqlite';
import { describe, expect, it } from 'vitest';
import { BIN, runCli, writeFiles } from './cli.test-helper.js';
import { daemon, fleetHome, startMaster, withMaster } from './fleet.test-helper.js';

/** The run of `workflow` the master recorded, read from its data directory (a real SQLite file). */
function recorded(home: string, workflow: string): RunRecord | undefined {
  const store = openStore(home);
  try {
    return runRepo(store)
      .latest(20)
      .find((r) => r.workflow === workflow);
  } finally {
    store.close();
  }
}

describe('runs reported to a master, and their CLI', () => {
  it('a quiet task longer than the timeout stays running (keep-alives); a CLI killed with -9 leaves its run interrupted', async () => {
    const { home, tokenFile } = fleetHome();
    const master = await startMaster(home, tokenFile, 0, ['--report-timeout', '900ms']);
    const cliHome = mkdtempSync(join(tmpdir(), 'sloth-cli-home-'));
    const dir = writeFiles({
      'quiet.sloth': 'workflow("quiet")\n  :task("wait", function() exec.run("sleep 2.5") end)\n',
      'long.sloth': 'workflow("long")\n  :task("wait", function() log.info("started") exec.run("sleep 60") end)\n',
    });

    // Nothing is said for 2.5 s, nearly three timeouts: only the keep-alives tell the master the run goes on. Its
    // record is read all along: the end of the run would hide a mark made meanwhile.
    const quiet = daemon(BIN, ['workflow', 'run', '-f', join(dir, 'quiet.sloth'), ...withMaster(master.url, tokenFile)], cliHome);
    let ended = false;
    void quiet.exited.then(() => {
      ended = true;
    });
    const seen = new Set<string>();
    await waitFor(
      () => {
        const r = recorded(home, 'quiet');
        if (r) seen.add(`${r.status}${r.error ? `: ${r.error}` : ''}`);
        return ended;
      },
      30_000,
      'the quiet run to end',
      100,
    );
    expect((await quiet.exited).code, quiet.output()).toBe(0);
    expect([...seen]).toEqual(['running', 'success']);

    const cli = daemon(BIN, ['workflow', 'run', '-f', join(dir, 'long.sloth'), ...withMaster(master.url, tokenFile)], cliHome);
    await cli.waitFor(/started/);
    await waitFor(() => recorded(home, 'long')?.status === 'running', 20_000, 'the run recorded running on the master', 100);
    cli.child.kill('SIGKILL');
    await cli.exited;
    // Read here, a dead pid of this host already reads as interrupted: the error is what the master itself wrote.
    await waitFor(() => recorded(home, 'long')?.error !== null, 20_000, 'the master marking the run interrupted', 100);
    const run = recorded(home, 'long');
    expect(run?.status).toBe('interrupted');
    expect(run?.error).toMatch(
      /^its CLI \(.+, pid \d+\) stopped reporting it for .+: it was killed, or lost its link to this master$/,
    );
    expect(run?.finishedAt).toBeGreaterThan(run?.startedAt ?? Number.POSITIVE_INFINITY);
  }, 60_000);

  it('refuses a --report-timeout that is not a duration, or too short, clearly', async () => {
    const { home, tokenFile } = fleetHome();
    for (const [value, message] of [
      ['soon', /--report-timeout/],
      ['10ms', /reportTimeoutMs: at least 300ms/],
    ] as const) {
      const r = await runCli(['master', 'start', '--port', '0', '--token-file', tokenFile, '--report-timeout', value], {
        env: { SLOTH_HOME: home },
      });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
