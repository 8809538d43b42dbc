import { join } from 'node:path';
import { builtinModules } from '@sloth/builtin-modules';
import type { RunEvent } from '@sloth/core';
import { writeFiles } from '@sloth/core/testing';
import { WorkflowFile } from '@sloth/lua';
import { beginStackRun, type Store, stackRepo, stateRepo, storeServices } from '@sloth/store-sqlite';
import { describe, expect, it } from 'vitest';
import { addHook, hookSource, useStores } from './events.test-helper.js';
import { type RecordedRunOptions, runRecordedWorkflow } from './recorded-run.js';
import { RunEventRecorder } from './run-event-recorder.js';

const { fresh } = useStores();

/** A workflow file loaded the way `workflow run` loads it: its events go to the run's recorder from the start. */
async function load(store: Store, source: string) {
  const events = new RunEventRecorder(() => store);
  const dir = writeFiles({ 'w.sloth': source });
  const services = { ...storeServices(() => store, store.dataDir), events };
  const file = await WorkflowFile.load({ file: join(dir, 'w.sloth'), modules: builtinModules, services });
  return { file, events, services };
}

/** Runs workflow "ship" of a loaded file into stack "prod", with `extra` options. */
function runShip(store: Store, loaded: Awaited<ReturnType<typeof load>>, extra: Partial<RecordedRunOptions> = {}) {
  return runRecordedWorkflow({
    file: loaded.file,
    workflow: loaded.file.findWorkflow('ship'),
    store: () => store,
    services: loaded.services,
    events: loaded.events,
    stack: 'prod',
    params: {},
    signal: new AbortController().signal,
    ...extra,
  });
}

const DEPLOY = `task("deploy"):command(function()
  event.dispatch("deploy.done", { n = 7 })
  local inner = task("inner"):command(function(this, params) return true, "ok", { got = params.x } end):build()
  local ok, out = inner:run({ x = 1 })
  return ok, "deployed", { inner = out.got }
end):build()
workflow.define("ship", { tasks = { "deploy" } })`;

describe('runRecordedWorkflow', () => {
  it('records the run in its stack, persists its events, joins Task:run() to it, then runs the hooks of its events', async () => {
    const t = fresh();
    await addHook(t.store, t.dir, 'h.lua', hookSource('seen', 'deploy.done', 'state.set("seen", event.data.n)'));
    const loaded = await load(t.store, DEPLOY);
    const { file } = loaded;
    const observed: RunEvent[] = [];
    const order: string[] = [];
    try {
      const run = await runShip(t.store, loaded, {
        observer: (e) => observed.push(e),
        onFinished: (result, stack) => order.push(`finished ${result.status} ${stack.execution.status}`),
        hooks: { timeoutMs: 20_000, write: (line) => order.push(line) },
      });
      expect(run.result.tasks[0]?.error).toBeUndefined();
      expect(run.result.status).toBe('success');
      expect(run.result.tasks[0]?.output).toEqual({ inner: 1 });
      expect(run.stack.stack.name).toBe('prod');
      expect(run.stack.execution).toMatchObject({ status: 'success', workflow: 'ship' });
      // The result is told before the hooks run; the hook saw the event the task dispatched.
      expect(order).toEqual(['finished success success']);
      expect(run.hooks).toMatchObject({ left: 0 });
      expect(stateRepo(t.store).get('seen')).toBe(7);
      const recorded = t.events.list({ runId: run.result.runId }).map((e) => e.type);
      expect(recorded).toEqual(expect.arrayContaining(['workflow.started', 'deploy.done', 'workflow.completed']));
      expect(observed.some((e) => e.type === 'workflow.finished')).toBe(true);
    } finally {
      file.close();
    }
  });

  it('fails before running anything when another run holds the stack, and leaves the lock to it', async () => {
    const t = fresh();
    const loaded = await load(t.store, DEPLOY);
    const { file } = loaded;
    const holder = await beginStackRun(t.store, { stack: 'prod', workflow: 'other' });
    try {
      const run = runShip(t.store, loaded, {
        lockTimeoutMs: 0,
        hooks: { timeoutMs: 5_000, write: () => {} },
      });
      await expect(run).rejects.toMatchObject({ code: 'timeout', message: expect.stringContaining("stack 'prod' is locked") });
      expect(t.events.list({ type: 'workflow.*' })).toEqual([]);
      expect(stateRepo(t.store).get('seen')).toBeUndefined();
    } finally {
      holder.finish('success', {});
      file.close();
    }
  });

  it('records a run that throws as failed in its stack, and rethrows', async () => {
    const t = fresh();
    const loaded = await load(t.store, DEPLOY);
    const { file } = loaded;
    let finishedWith: string | undefined;
    try {
      const ship = file.findWorkflow('ship');
      const run = runShip(t.store, loaded, {
        // A workflow the engine refuses to start (a dependency on a task it does not have).
        workflow: { ...ship, tasks: [{ ...ship.tasks[0], dependsOn: ['nope'] } as never] },
        onStackRun: (r) => {
          finishedWith = r.stack.name;
        },
      });
      await expect(run).rejects.toThrow(/depends on 'nope'/);
      expect(finishedWith).toBe('prod');
      const [prod] = stackRepo(t.store).listStacks();
      expect(prod?.lastExecution).toMatchObject({ status: 'failed', workflow: 'ship' });
      // Its lock was released: the next run takes the stack at once.
      (await beginStackRun(t.store, { stack: 'prod', workflow: 'ship' })).finish('success', {});
    } finally {
      file.close();
    }
  });
});
