import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, writeFiles } from './cli.test-helper.js';
import { eventsOf, statusCounts, writeHook } from './events.test-helper.js';
import { freshHome, sloth, slothJson } from './stack.test-helper.js';

describe('hook commands', () => {
  it('add, list, show, disable, enable, remove; add again replaces', async () => {
    const home = freshHome();
    const dir = writeFiles({});
    const file = writeHook(dir, 'notify.lua', 'notify_failures', 'task.failed', 'return true, "noted"', ', stack = "production"');
    const added = await sloth(home, ['hook', 'add', file]);
    expect(added.stderr).toBe('');
    expect(added.stdout).toContain(
      'added hook notify_failures: task.failed in stack production, timeout 30s, up to 3 attempt(s)',
    );
    const list = await slothJson(home, ['hook', 'list']);
    expect(list.json).toMatchObject([
      { name: 'notify_failures', event_type: 'task.failed', stack: 'production', enabled: true, path: file, executions: 0 },
    ]);
    expect((await sloth(home, ['hook', 'list'])).stdout).toMatch(/notify_failures .*task\.failed .*production .*yes .*never/);
    const show = await sloth(home, ['hook', 'show', 'notify_failures']);
    expect(show.stdout).toContain('event:        task.failed');
    expect(show.stdout).toContain('function hook.execute(event)');
    expect((await sloth(home, ['hook', 'disable', 'notify_failures'])).stdout).toContain('disabled hook notify_failures');
    expect((await slothJson(home, ['hook', 'show', 'notify_failures'])).json).toMatchObject({ enabled: false });
    expect((await sloth(home, ['hook', 'enable', 'notify_failures'])).stdout).toContain('enabled hook notify_failures');
    const replaced = await sloth(home, [
      'hook',
      'add',
      file,
      '--event',
      'task.*',
      '--disabled',
      '--timeout',
      '5s',
      '--max-attempts',
      '2',
    ]);
    expect(replaced.stdout).toContain(
      'replaced hook notify_failures: task.* in stack production, timeout 5s, up to 2 attempt(s) (disabled)',
    );
    expect((await sloth(home, ['hook', 'remove', 'notify_failures'])).stdout).toContain('removed hook notify_failures');
    expect((await sloth(home, ['hook', 'list'])).stdout).toContain('no hooks');
  });

  it('an unknown hook name is exit 2 with did-you-mean, and no stack trace', async () => {
    const home = freshHome();
    const dir = writeFiles({});
    await sloth(home, ['hook', 'add', writeHook(dir, 'n.lua', 'notify_failures', 'task.failed', 'return true')]);
    for (const cmd of ['show', 'remove', 'enable', 'disable', 'test', 'history']) {
      const r = await sloth(home, ['hook', cmd, 'notify_failure']);
      expect(r.code, cmd).toBe(2);
      expect(r.stderr, cmd).toContain("no hook named 'notify_failure' (did you mean 'notify_failures'?)");
      expect(r.stderr, cmd).not.toMatch(/\s+at .*\.js:\d+/);
    }
  });

  it('add refuses a malformed file with its file and line, and a hook without execute or event_type', async () => {
    const home = freshHome();
    const dir = writeFiles({
      'broken.lua': 'local hook = {\n  name = "x",\n  event_type = "task.failed"\n  oops = 1\n}\nreturn hook\n',
      'noexec.lua': 'return { name = "x", event_type = "task.failed" }\n',
      'noevent.lua': 'local h = { name = "x" }\nfunction h.execute() return true end\nreturn h\n',
    });
    const broken = await sloth(home, ['hook', 'add', join(dir, 'broken.lua')]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/error: .*broken\.lua:4: '}' expected \(to close '\{' at line 1\) near 'oops'/);
    const noexec = await sloth(home, ['hook', 'add', join(dir, 'noexec.lua')]);
    expect(noexec.code).toBe(2);
    expect(noexec.stderr).toContain('the hook has no execute function (hook.execute is nil)');
    const noevent = await sloth(home, ['hook', 'add', join(dir, 'noevent.lua')]);
    expect(noevent.stderr).toContain('the hook has no event_type');
    expect(noevent.stderr).toContain('or pass --event');
    expect((await sloth(home, ['hook', 'add', join(dir, 'noevent.lua'), '--event', 'task.failed'])).code).toBe(0);
    expect((await sloth(home, ['hook', 'add', join(dir, 'missing.lua')])).stderr).toContain("hook file '");
  });

  it('hook test runs the stored copy with --data; failure is exit 1; bad --data is exit 2', async () => {
    const home = freshHome();
    const dir = writeFiles({});
    const file = writeHook(
      dir,
      'h.lua',
      'greet',
      'deploy.*',
      'if event.data.fail then return false, "asked to fail" end\nreturn true, event.type .. " " .. event.data.who',
    );
    await sloth(home, ['hook', 'add', file]);
    const ok = await sloth(home, ['hook', 'test', 'greet', '--data', '{"who":"ops"}']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^ok \(\d+ms\): deploy\.test ops$/m);
    const json = await slothJson(home, ['hook', 'test', 'greet', '--data', '{"fail":true}']);
    expect(json.r.code).toBe(1);
    expect(json.json).toMatchObject({ success: false, error: 'asked to fail', event: { type: 'deploy.test' } });
    const bad = await sloth(home, ['hook', 'test', 'greet', '--data', '{oops']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--data is not valid JSON');
    expect((await sloth(home, ['hook', 'test', 'greet', '--data', '[1]'])).stderr).toContain('--data must be a JSON object');
    // The stored copy runs: editing the file into a syntax error changes nothing until it is added again.
    writeHook(dir, 'h.lua', 'greet', 'deploy.*', 'this is not lua');
    expect((await sloth(home, ['hook', 'test', 'greet', '--data', '{"who":"x"}'])).code).toBe(0);
    // Nothing of a test is recorded.
    expect((await sloth(home, ['hook', 'history', 'greet'])).stdout).toContain("hook 'greet' has not run yet");
  });
});

describe('events from workflow runs', () => {
  it('the engine, event.dispatch and the stack module persist events; hooks see the spec data shape; no env values', async () => {
    const home = freshHome();
    const dir = writeFiles({
      'wf.sloth': `
task("ok"):command(function()
  event.dispatch("deploy.started", { deploy_id = "deploy-123", version = "v2.0.0" })
  event.dispatch_custom("cache_warmed", "all regions")
  stack.register_resource({ type = "file", name = "cfg", properties = { path = "/tmp/x" } })
  return true
end):build()
task("flaky"):retries(1, "fixed", "10ms"):command(function(this) if this.attempt == 1 then error("first") end return true end):build()
task("slow"):timeout("100ms"):command(function() while true do end end):build()
task("bad"):env({ SECRET_TOKEN = "s3cr3t-value" }):command("echo $SECRET_TOKEN; exit 3"):build()
task("after"):depends_on({ "bad" }):command(function() return true end):build()
workflow.define("ev", { tasks = { "ok", "flaky", "slow", "bad", "after" }, config = { fail_fast = false } })
`,
    });
    const r = await sloth(home, ['workflow', 'run', 'ev', '-f', join(dir, 'wf.sloth'), '--stack', 'prod']);
    expect(r.code).toBe(1);
    const types = (t: string) => eventsOf(home, t);
    expect(types('workflow.started')).toHaveLength(1);
    expect(types('workflow.failed')[0]?.data).toMatchObject({ workflow: 'ev', status: 'failed' });
    expect(
      types('task.completed')
        .map((e) => (e.data.task as { task_name: string }).task_name)
        .sort(),
    ).toEqual(['flaky', 'ok']);
    expect(types('task.retrying')[0]?.data).toMatchObject({
      task: { task_name: 'flaky', attempt: 2, error: expect.stringContaining('first') },
    });
    expect(types('task.timeout')[0]?.data).toMatchObject({ task: { task_name: 'slow', status: 'timeout' } });
    expect(types('task.skipped')[0]?.data).toMatchObject({ task: { task_name: 'after', skip_reason: 'dependency' } });
    const failed = types('task.failed')[0];
    expect(failed).toMatchObject({ source: 'workflow:ev', stack: 'prod', data: { workflow: 'ev', task: { task_name: 'bad' } } });
    expect((failed?.data.task as { error?: string } | undefined)?.error).toBe('command exited with code 3');
    expect(types('deploy.started')[0]).toMatchObject({ source: 'workflow:ev', stack: 'prod', data: { deploy_id: 'deploy-123' } });
    expect(types('custom.cache_warmed')[0]?.data).toEqual({ message: 'all regions' });
    expect(types('stack.resource_created')[0]?.data).toMatchObject({ stack: 'prod', resource: { type: 'file', name: 'cfg' } });
    const runIds = new Set(eventsOf(home, '*').map((e) => e.runId));
    expect(runIds.size).toBe(1);
    // With no hook, the run's events are marked completed at once (no Lua starts for them).
    expect(statusCounts(home)).toEqual({ completed: eventsOf(home, '*').length });
    const all = JSON.stringify(eventsOf(home, '*'));
    expect(all).not.toContain('SECRET_TOKEN');
  });

  it("a run's hooks run after it, and --hooks-timeout 0 leaves the events for `events serve`", async () => {
    const home = freshHome();
    const dir = writeFiles({
      'wf.sloth': 'task("t"):command(function() event.dispatch("deploy.completed", { v = 1 }) end):build()',
    });
    await sloth(home, [
      'hook',
      'add',
      writeHook(dir, 'h.lua', 'count', 'deploy.completed', 'state.increment("deploys") return true'),
    ]);
    expect((await sloth(home, ['workflow', 'run', '-f', join(dir, 'wf.sloth')])).code).toBe(0);
    expect((await slothJson(home, ['state', 'get', 'deploys'])).json).toMatchObject({ value: 1 });
    expect((await sloth(home, ['workflow', 'run', '-f', join(dir, 'wf.sloth'), '--hooks-timeout', '0'])).code).toBe(0);
    expect((await slothJson(home, ['state', 'get', 'deploys'])).json).toMatchObject({ value: 1 });
    expect((await slothJson(home, ['events', 'list', '--type', 'deploy.completed', '--status', 'pending'])).json).toHaveLength(1);
    const bad = await sloth(home, ['workflow', 'run', '-f', join(dir, 'wf.sloth'), '--hooks-timeout', 'soon']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--hooks-timeout');
  });
});

describe('events commands', () => {
  it('events show says how deep in a chain of hook dispatches an event is', async () => {
    const home = freshHome();
    const dir = writeFiles({ 'wf.sloth': 'task("t"):command(function() event.dispatch("loop.start") end):build()' });
    const again = 'require("event").dispatch("loop.again", { from = event.id }) return true';
    await sloth(home, ['hook', 'add', writeHook(dir, 'h.lua', 'echo', 'loop.*', again)]);
    expect((await sloth(home, ['workflow', 'run', '-f', join(dir, 'wf.sloth')])).code).toBe(0);
    const [start] = (await slothJson(home, ['events', 'list', '--type', 'loop.start'])).json as { id: string; depth: number }[];
    const [next] = (await slothJson(home, ['events', 'list', '--type', 'loop.again'])).json as { id: string; depth: number }[];
    expect(start?.depth).toBe(0);
    expect(next).toMatchObject({ depth: 1, source: 'hook:echo', data: { from: start?.id } });
    const show = await sloth(home, ['events', 'show', next?.id as string]);
    expect(show.stdout).toContain('depth:      1 (dispatched by a hook handling an event of depth 0)');
    expect((await sloth(home, ['events', 'show', start?.id as string])).stdout).not.toContain('depth:');
  });

  it('list with filters, show with hook executions, history, cleanup', async () => {
    const home = freshHome();
    const dir = writeFiles({
      'wf.sloth': 'task("t"):command(function() event.dispatch("deploy.started", { v = "2" }) end):build()',
    });
    await sloth(home, ['hook', 'add', writeHook(dir, 'h.lua', 'audit', 'deploy.*', 'return true, "audited " .. event.data.v')]);
    await sloth(home, ['workflow', 'run', '-f', join(dir, 'wf.sloth')]);
    const list = await slothJson(home, ['events', 'list', '--type', 'deploy.*']);
    expect(list.json).toMatchObject([{ type: 'deploy.started', status: 'completed', data: { v: '2' } }]);
    const id = (list.json[0] as { id: string }).id;
    expect((await slothJson(home, ['events', 'list', '--status', 'failed'])).json).toEqual([]);
    expect((await slothJson(home, ['events', 'list', '-n', '2'])).json).toHaveLength(2);
    const show = await sloth(home, ['events', 'show', id]);
    expect(show.stdout).toContain(`event ${id}: deploy.started completed`);
    expect(show.stdout).toMatch(/audit .*│ 1 .*│ ok .*audited 2/);
    // Ids made close together share a prefix (the time comes first): a prefix must be unique.
    const ids = ((await slothJson(home, ['events', 'list'])).json as { id: string }[]).map((e) => e.id);
    let common = 0;
    while (ids.every((x) => x[common] === ids[0]?.[common])) common += 1;
    expect(common).toBeGreaterThanOrEqual(4);
    const ambiguous = await sloth(home, ['events', 'show', id.slice(0, common)]);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain('matches several events');
    expect((await slothJson(home, ['events', 'show', id.toLowerCase()])).json).toMatchObject({
      id,
      hook_executions: [{ hook: 'audit', attempt: 1, success: true, output: 'audited 2' }],
    });
    const history = await slothJson(home, ['hook', 'history', 'audit', '--limit', '5']);
    expect(history.json).toMatchObject([{ event_id: id, event_type: 'deploy.started', success: true }]);
    const missing = await sloth(home, ['events', 'show', 'NOPE0000']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("no event with id 'NOPE0000'");
    expect((await sloth(home, ['events', 'list', '--type', 'Deploy Started'])).stderr).toContain('invalid event type pattern');
    expect((await sloth(home, ['events', 'cleanup', '--older-than', 'yesterday'])).stderr).toContain('--older-than');
    expect((await sloth(home, ['events', 'cleanup', '--older-than', '1h'])).stdout).toContain('removed 0 event(s) older than 1h');
    const cleaned = await slothJson(home, ['events', 'cleanup', '--older-than', '0s']);
    expect(cleaned.json).toMatchObject({ removed_hook_executions: 1 });
    expect((await slothJson(home, ['events', 'list'])).json).toEqual([]);
  });
});

describe('the README hook example', () => {
  it('registers as written and records a failed task', async () => {
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const block = [...readme.matchAll(/```lua\n(-- record_failures\.lua\n[\s\S]*?)```/g)][0]?.[1];
    expect(block, 'README block starting with -- record_failures.lua').toBeDefined();
    const home = freshHome();
    const dir = writeFiles({
      'record_failures.lua': block as string,
      'wf.sloth': 'task("build"):command(function() error("disk full") end):build()',
    });
    const added = await sloth(home, ['hook', 'add', 'record_failures.lua'], dir);
    expect(added.stderr).toBe('');
    expect((await sloth(home, ['workflow', 'run', '-f', 'wf.sloth'], dir)).code).toBe(1);
    expect(readFileSync(join(dir, 'failures.log'), 'utf8')).toMatch(/build failed: wf\.sloth:1: disk full/);
  });
});
