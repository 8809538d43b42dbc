import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@sloth/core/testing';
import { describe, expect, it } from 'vitest';
import { runCli, writeFiles } from './cli.test-helper.js';

const dataDir = () => mkdtempSync(join(tmpdir(), 'sloth-state-cli-'));
const state = (dir: string, ...args: string[]) => runCli(['state', ...args, '--data-dir', dir]);

/** Runs a one-file workflow against `dir` and returns its JSON report (and the raw result). */
async function runWorkflow(dir: string, source: string, extraArgs: string[] = []) {
  const wd = writeFiles({ 'w.sloth': source });
  const r = await runCli(['workflow', 'run', '-f', join(wd, 'w.sloth'), '--data-dir', dir, '--output', 'json', ...extraArgs]);
  let report: { status: string; tasks: Record<string, { status: string; output?: Record<string, unknown>; error?: string }> };
  try {
    report = JSON.parse(r.stdout);
  } catch {
    throw new Error(`no JSON report (exit ${r.code})\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  }
  return { r, report };
}

describe('state CLI', () => {
  it('set, get, list, delete, clear: tables for people, JSON for machines', async () => {
    const dir = dataDir();
    const setAt = Date.now();
    expect((await state(dir, 'set', 'greeting', 'hello', '--ttl', '1h')).stdout).toBe('set greeting = hello (expires: 1h)\n');
    expect((await state(dir, 'set', 'cfg', '{"replicas":3,"hosts":["a","b"]}', '--json')).code).toBe(0);
    expect((await state(dir, 'set', 'app:1', '1', '--json')).code).toBe(0);

    expect((await state(dir, 'get', 'greeting')).stdout).toBe('hello\n');
    const json = JSON.parse((await state(dir, 'get', 'cfg', '-o', 'json')).stdout);
    expect(json).toMatchObject({ key: 'cfg', value: { replicas: 3, hosts: ['a', 'b'] }, ttl: -1, expires_at: null, version: 1 });
    const greeting = JSON.parse((await state(dir, 'get', 'greeting', '--output', 'json')).stdout);
    // What is left of the hour is an hour less the time these commands took (seconds on a loaded machine).
    expect(greeting.ttl).toBeGreaterThanOrEqual(3600 - Math.ceil((Date.now() - setAt) / 1000));
    expect(greeting.ttl).toBeLessThanOrEqual(3600);

    const table = (await state(dir, 'list')).stdout;
    expect(table).toMatch(/Key.*Value.*Expires in.*Version.*Updated/);
    expect(table).toMatch(/greeting.*hello.*(1h|59m\d+s)/);
    const listed = JSON.parse((await state(dir, 'list', 'app:*', '-o', 'json')).stdout);
    expect(listed.map((e: { key: string }) => e.key)).toEqual(['app:1']);

    const del = await state(dir, 'delete', 'greeting', 'nope', '-o', 'json');
    expect(JSON.parse(del.stdout)).toEqual({ deleted: ['greeting'], missing: ['nope'] });
    expect((await state(dir, 'clear', 'app:*')).stdout).toBe("removed 1 key matching 'app:*'\n");
    expect(JSON.parse((await state(dir, 'clear', '--all', '-o', 'json')).stdout)).toEqual({ pattern: '*', removed: 1 });
    expect(JSON.parse((await state(dir, 'list', '-o', 'json')).stdout)).toEqual([]);
  });

  it('an absent value is one nil in Lua, not no value: tostring and select work on it', async () => {
    const { r, report } = await runWorkflow(
      dataDir(),
      `task("nils"):command(function()
        local n = { select('#', state.get("absent")), select('#', json.decode("null")), select("#", stack.get_output("absent_output")) }
        return true, "ok", { counts = table.concat(n, ","), shown = tostring(state.get("absent")) .. " " .. tostring(json.decode("null")) }
      end)`,
    );
    expect(report.tasks.nils?.status, r.stderr).toBe('success');
    expect(report.tasks.nils?.output).toEqual({ counts: '1,1,1', shown: 'nil nil' });
  });

  it('usage errors and a missing key exit 2 and say what to do', async () => {
    const dir = dataDir();
    await state(dir, 'set', 'greeting', 'hi');
    const missing = await state(dir, 'get', 'greting');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("error: no key 'greting' in the state at");
    expect(missing.stderr).toContain("(did you mean 'greeting'?)");
    const badJson = await state(dir, 'set', 'k', '{oops', '--json');
    expect(badJson.code).toBe(2);
    expect(badJson.stderr).toContain('VALUE is not valid JSON');
    const badTtl = await state(dir, 'set', 'k', 'v', '--ttl', 'soon');
    expect(badTtl.code).toBe(2);
    expect(badTtl.stderr).toContain('--ttl: invalid ttl "soon"');
    const noPattern = await state(dir, 'clear');
    expect(noPattern.code).toBe(2);
    expect(noPattern.stderr).toContain('state clear needs a PATTERN, or --all');
  });

  it('what a workflow stores, the CLI reads, and the other way round', async () => {
    const dir = dataDir();
    await state(dir, 'set', 'from_cli', '{"n":1}', '--json');
    const { r, report } = await runWorkflow(
      dir,
      `task("t"):command(function()
        state.set("from_lua", { list = { 1, 2, 3 }, nested = { ok = true } }, "10m")
        return true, "ok", { seen = state.get("from_cli").n }
      end):build()`,
    );
    expect(r.code).toBe(0);
    expect(report.tasks.t?.output).toEqual({ seen: 1 });
    const got = JSON.parse((await state(dir, 'get', 'from_lua', '-o', 'json')).stdout);
    expect(got.value).toEqual({ list: [1, 2, 3], nested: { ok: true } });
    expect(got.ttl).toBeGreaterThan(590);
  });

  it('keys expire: absent for the CLI and for workflows once their ttl has passed', async () => {
    const dir = dataDir();
    await state(dir, 'set', 'short', 'v', '--ttl', '1');
    await state(dir, 'set', 'long', 'v', '--ttl', '1h');
    // Presence is checked in the same process right after the set: a second process could start after the ttl.
    const { report } = await runWorkflow(
      dir,
      `task("t"):command(function()
        state.set("short_lua", "v", 1)
        return true, "ok", { value = state.get("short_lua"), ttl = state.ttl("short_lua") }
      end):build()`,
    );
    expect(report.tasks.t?.output).toEqual({ value: 'v', ttl: 1 });
    // Expiry is awaited, with a bound, rather than slept for.
    await waitFor(async () => (await state(dir, 'get', 'short_lua')).code === 2, 15_000, 'short_lua to expire (1s ttl)');
    expect((await state(dir, 'get', 'short')).code).toBe(2);
    expect((await state(dir, 'get', 'long')).stdout).toBe('v\n');
    const after = await runWorkflow(
      dir,
      `task("t"):command(function()
        return true, "ok", { exists = state.exists("short_lua"), value = state.get("short_lua", "gone"), ttl = state.ttl("short_lua") }
      end):build()`,
    );
    expect(after.report.tasks.t?.output).toEqual({ exists: false, value: 'gone', ttl: -2 });
  });

  it("the spec's examples run as written", async () => {
    const dir = dataDir();
    const { r, report } = await runWorkflow(
      dir,
      `local function deploy_application() return "deployed v2" end
local build = task("build_docker"):command(function(params, deps)
    local tag = "v1"
    state.set("docker_image", "myapp:" .. tag, 86400) -- 24 hours
    return true
end):build()
local deploy = task("deploy_app"):depends_on({ "build_docker" })
    :run_if(function(params, deps) return state.exists("docker_image") end)
    :command(function(params, deps)
        state.set("deployment_count", 1, 3600) -- TTL of 1 hour
        local count = state.increment("deployment_count")
        state.set("status", "deploying")
        local swapped = state.compare_swap("status", "deploying", "deployed")
        local result = state.with_lock("deployment_lock", function()
            -- Critical section - only one task can execute this
            return deploy_application()
        end, 30) -- 30 second timeout
        local final_data = { result = result }
        state.set("last_result", final_data, 3600)
        state.set("deployment_version", "v2.1.0", 3600)
        return true, "ok", {
            count = count, swapped = swapped, result = result, image = state.get("docker_image"),
            version = state.get("deployment_version"), status = state.get("status"), ttl = state.ttl("deployment_count"),
            short_ttl = (function() state.set("h", 1, "1h") return state.ttl("h") end)(),
        }
    end):build()
workflow.define("spec", { tasks = { build, deploy } })`,
    );
    expect(r.code).toBe(0);
    expect(report.tasks.deploy_app?.output).toEqual({
      count: 2,
      swapped: true,
      result: 'deployed v2',
      image: 'myapp:v1',
      version: 'v2.1.0',
      status: 'deployed',
      ttl: 3600,
      short_ttl: 3600,
    });
  });

  it('with_lock releases the lock when its function raises, and re-raises the message', async () => {
    const dir = dataDir();
    const { report } = await runWorkflow(
      dir,
      `task("t"):command(function()
        local ok, err = pcall(state.with_lock, "L", function() error("deploy broke") end, 5)
        local token = state.try_lock("L")
        return true, "ok", { ok = ok, err = err, relocked = token ~= nil }
      end):build()`,
    );
    expect(report.tasks.t?.output).toMatchObject({ ok: false, relocked: true });
    expect(String(report.tasks.t?.output?.err)).toMatch(/w\.sloth:2: deploy broke$/);
  });

  it('a wrong value type names the key and the function, with the line', async () => {
    const dir = dataDir();
    const { r, report } = await runWorkflow(
      dir,
      `task("t"):command(function()
        state.set("name", "web")
        state.increment("name")
      end):build()`,
    );
    expect(r.code).toBe(1);
    expect(report.tasks.t?.error).toContain(
      `w.sloth:3: state.increment('name'): the value of 'name' is a string ("web"), not a number`,
    );
  });

  it('modules list shows every state function with its signature', async () => {
    const r = await runCli(['modules', 'list', '--module', 'state', '--format', 'json']);
    const doc = JSON.parse(r.stdout);
    const names = doc.functions.map((f: { name: string }) => f.name).sort();
    expect(names).toEqual(
      [
        'append',
        'clear',
        'compare_swap',
        'decrement',
        'delete',
        'exists',
        'expire',
        'get',
        'increment',
        'keys',
        'list',
        'lock',
        'persist',
        'set',
        'set_if_absent',
        'stats',
        'try_lock',
        'ttl',
        'unlock',
        'with_lock',
      ].sort(),
    );
  });
});
