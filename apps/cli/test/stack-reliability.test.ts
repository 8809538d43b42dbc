import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collect, writeFiles } from './cli.test-helper.js';
import { freshHome, gatedWorkflow, sloth, slothJson, startRun, waitForFile } from './stack.test-helper.js';

/** A workflow file that holds its stack until the test writes `go`, and the paths to drive it. */
function gated(name?: string) {
  const dir = writeFiles({});
  const file = join(dir, 'w.sloth');
  writeFileSync(file, gatedWorkflow(dir, name));
  return { dir, file, ready: join(dir, 'ready'), release: () => writeFileSync(join(dir, 'go'), '') };
}

describe('stack reliability (real processes)', () => {
  it('kill -9 mid-run: the next run records it interrupted, keeps its checkpointed resource and takes the lock', async () => {
    const home = freshHome();
    const g = gated('from-killed-run');
    const child = startRun(home, ['workflow', 'run', 'prod', '-f', g.file]);
    const done = collect(child, 30_000);
    await waitForFile(g.ready, 'the first run to register its resource');
    child.kill('SIGKILL');
    expect((await done).signal).toBe('SIGKILL');
    g.release(); // ends the orphaned shell loop, and lets the next run through

    const { json: locked } = await slothJson(home, ['stack', 'lock', 'status', 'prod']);
    expect(locked).toMatchObject({ locked: true, holder: { pid: child.pid, alive: false } });

    const other = gated('second');
    other.release();
    const { r, json } = await slothJson(home, ['workflow', 'run', 'prod', '-f', other.file]);
    expect(r.code, r.stderr).toBe(0);
    const stack = json.stack as { interrupted_executions: { pid: number }[]; orphans: unknown[] };
    expect(stack.interrupted_executions).toEqual([expect.objectContaining({ pid: child.pid })]);
    expect(stack.orphans).toEqual([{ type: 'marker', name: 'from-killed-run' }]);

    const { json: history } = await slothJson(home, ['stack', 'history', 'prod']);
    expect((history as { status: string }[]).map((e) => e.status)).toEqual(['success', 'interrupted']);
    expect(history[1]).toMatchObject({ pid: child.pid, resources: { created: 1 }, finished_at: null });
    const { json: resources } = await slothJson(home, ['stack', 'resources', 'prod']);
    expect((resources as { name: string }[]).map((x) => x.name)).toEqual(['from-killed-run', 'second']);
    expect((await slothJson(home, ['stack', 'lock', 'status', 'prod'])).json).toEqual({ stack: 'prod', locked: false });
  });

  it('two runs on one stack: the second fails at once naming the holder, or waits with --lock-timeout', async () => {
    const home = freshHome();
    const g = gated();
    const first = startRun(home, ['workflow', 'run', 'prod', '-f', g.file]);
    const firstDone = collect(first, 60_000);
    await waitForFile(g.ready, 'the first run to hold the stack');

    const other = gated('other');
    other.release();
    const refused = await sloth(home, ['workflow', 'run', 'prod', '-f', other.file]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      new RegExp(`stack 'prod' is locked by another run: pid ${first.pid} on \\S+ since \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z`),
    );
    expect(refused.stderr).toContain('--lock-timeout');

    const waiting = startRun(home, ['workflow', 'run', 'prod', '-f', other.file, '--lock-timeout', '60s', '-o', 'json']);
    const waitingDone = collect(waiting, 60_000);
    const status = await sloth(home, ['stack', 'lock', 'status', 'prod']);
    expect(status.stdout).toContain(`locked by pid ${first.pid}`);
    g.release();
    expect((await firstDone).code).toBe(0);
    const second = await waitingDone;
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ status: 'success', stack: { name: 'prod', interrupted_executions: [] } });
  });

  it('SIGINT during a run: the execution is aborted and the lock released', async () => {
    const home = freshHome();
    const g = gated();
    const child = startRun(home, ['workflow', 'run', 'prod', '-f', g.file]);
    const done = collect(child, 30_000);
    await waitForFile(g.ready, 'the run to start');
    child.kill('SIGINT');
    const r = await done;
    g.release();
    expect(r.code).toBe(130);
    const { json: history } = await slothJson(home, ['stack', 'history', 'prod']);
    expect(history[0]).toMatchObject({ status: 'aborted', resources: { created: 1 } });
    expect((await slothJson(home, ['stack', 'lock', 'status', 'prod'])).json).toEqual({ stack: 'prod', locked: false });
  });

  it('stack lock force-unlock frees a held stack', async () => {
    const home = freshHome();
    const g = gated();
    const child = startRun(home, ['workflow', 'run', 'prod', '-f', g.file]);
    const done = collect(child, 30_000);
    await waitForFile(g.ready, 'the run to hold the stack');
    const unlocked = await sloth(home, ['stack', 'lock', 'force-unlock', 'prod']);
    expect(unlocked.stdout).toContain(`released the lock of stack 'prod' (held by pid ${child.pid}`);
    expect((await sloth(home, ['stack', 'lock', 'force-unlock', 'prod'])).stdout).toContain("stack 'prod' was not locked");
    const other = gated('other');
    other.release();
    expect((await sloth(home, ['workflow', 'run', 'prod', '-f', other.file])).code).toBe(0);
    g.release();
    expect((await done).code).toBe(0);
  });
});
