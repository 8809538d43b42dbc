import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from '@bufbuild/protobuf';
import { processAlive, waitFor, waitForPid } from '@sloth/core/testing';
import { OpenShellSchema, type ShellDown, ShellDownSchema, type ShellExit } from '@sloth/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionMembers } from './hang-up.js';
import { OUTPUT_WINDOW_BYTES, ShellSessions } from './shell-sessions.js';

// Real shells in real pseudo-terminals (sh, so no rc file changes what they print).
const savedShell = process.env.SHELL;
beforeAll(() => {
  process.env.SHELL = '/bin/sh';
});
afterAll(() => {
  process.env.SHELL = savedShell;
});

/** ShellSessions with what it sends up collected per session. */
function harness() {
  const output = new Map<string, Buffer[]>();
  const sent = new Map<string, number>();
  const exits = new Map<string, ShellExit>();
  const shells = new ShellSessions(
    (up) => {
      const id = up.sessionId as string;
      if (up.msg?.case === 'output') {
        if (!output.has(id)) output.set(id, []);
        output.get(id)?.push(Buffer.from(up.msg.value));
        sent.set(id, (sent.get(id) ?? 0) + up.msg.value.length);
      }
      if (up.msg?.case === 'exit') exits.set(id, up.msg.value as ShellExit);
    },
    () => {},
  );
  const down = (id: string, msg: ShellDown['msg']) => shells.handle(create(ShellDownSchema, { sessionId: id, msg }));
  return {
    shells,
    open: (id: string) =>
      down(id, { case: 'open', value: create(OpenShellSchema, { size: { cols: 90, rows: 20 }, term: 'xterm' }) }),
    type: (id: string, text: string) => down(id, { case: 'input', value: Buffer.from(text) }),
    down,
    text: (id: string) => Buffer.concat(output.get(id) ?? []).toString(),
    bytes: (id: string) => sent.get(id) ?? 0,
    exit: (id: string) => exits.get(id),
  };
}

describe('ShellSessions', () => {
  it('runs a shell in a terminal of the asked size, and sends its exit code', async () => {
    const h = harness();
    h.open('s1');
    h.type('s1', 'stty size; exit 7\r');
    await waitFor(() => h.exit('s1') !== undefined, 10_000, 'the exit');
    expect(h.exit('s1')).toMatchObject({ exitCode: 7, error: '' });
    expect(h.text('s1')).toMatch(/\b20 90\r\n/);
    expect(h.shells.size).toBe(0);
  });

  it('closing kills all of its terminal session, a job that ignores SIGHUP included', async () => {
    const h = harness();
    const dir = mkdtempSync(join(tmpdir(), 'sloth-shell-'));
    h.open('s2');
    // A background job in a process group of its own (job control), deaf to SIGHUP.
    h.type('s2', `set -m; sh -c 'trap "" HUP; echo $$ > ${dir}/job; while :; do sleep 1; done' & echo $$ > ${dir}/shell\r`);
    const [job, shell] = [
      await waitForPid(join(dir, 'job'), 'the job pid'),
      await waitForPid(join(dir, 'shell'), 'the shell pid'),
    ];
    expect(sessionMembers(shell)).toEqual(expect.arrayContaining([shell, job]));
    h.down('s2', { case: 'close', value: 'test' });
    await h.shells.closeAll('test');
    expect(h.exit('s2')).toMatchObject({ exitCode: 129, error: 'test' });
    expect(sessionMembers(shell)).toEqual([]);
    expect(processAlive(job)).toBe(false);
  });

  it('what the shell leaves running in its terminal when it exits is hung up too', async () => {
    const h = harness();
    const dir = mkdtempSync(join(tmpdir(), 'sloth-shell-'));
    h.open('s6');
    h.type('s6', `set -m; sh -c 'trap "" HUP; echo $$ > ${dir}/job; while :; do sleep 1; done' & exit 3\r`);
    const job = await waitForPid(join(dir, 'job'), 'the job pid');
    await waitFor(() => h.exit('s6') !== undefined, 10_000, 'the exit');
    expect(h.exit('s6')?.exitCode).toBe(3);
    // SIGHUP is ignored: SIGKILL comes after the grace.
    await waitFor(() => !processAlive(job), 10_000, 'the job to be killed');
  });

  /** Reports every byte sent as consumed, as a caller that keeps up does; returns how to stop. */
  function keepUp(h: ReturnType<typeof harness>, id: string): () => void {
    let acked = 0;
    const timer = setInterval(() => {
      const n = h.bytes(id) - acked;
      acked += n;
      if (n > 0) h.down(id, { case: 'consumed', value: n });
    }, 10);
    return () => clearInterval(timer);
  }

  it('stops reading a terminal whose output is not consumed, and goes on when it is', async () => {
    const h = harness();
    h.open('s3');
    h.type('s3', 'yes | head -c 3000000; echo DONE-$((1+1))\r');
    await waitFor(() => h.shells.paused('s3'), 10_000, 'the output to pause');
    // Paused at the window: one chunk of the terminal at most beyond it.
    expect(h.bytes('s3')).toBeGreaterThan(OUTPUT_WINDOW_BYTES);
    expect(h.bytes('s3')).toBeLessThan(OUTPUT_WINDOW_BYTES + 256 * 1024);
    const stop = keepUp(h, 's3');
    try {
      await waitFor(() => h.text('s3').includes('DONE-2'), 30_000, 'the rest of the output');
    } finally {
      stop();
    }
    // "y\n" is "y\r\n" on a terminal.
    expect(h.text('s3').split('y\r\n').length - 1).toBe(1_500_000);
    h.type('s3', 'exit 0\r');
    await waitFor(() => h.exit('s3') !== undefined, 10_000, 'the exit');
  });

  it('says why when no shell can be started', async () => {
    process.env.SHELL = '/nonexistent/shell';
    try {
      const h = harness();
      h.open('s4');
      await waitFor(() => h.exit('s4') !== undefined, 10_000, 'the exit');
      expect(h.exit('s4')).toMatchObject({
        exitCode: 127,
        error: 'cannot start a shell on this agent: the shell /nonexistent/shell cannot be run (ENOENT)',
      });
    } finally {
      process.env.SHELL = '/bin/sh';
    }
  });
});
