import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadError, loadSource, runSource } from './test-workflow.test-helper.js';

/** Loads a file that must pass the static check (and load); closes it. */
async function loads(source: string, extra: Record<string, string> = {}): Promise<void> {
  const { file } = await loadSource(source, extra);
  file.close();
}

describe('what would fail at run time is a load error before anything runs', () => {
  it('a global that is no module: apt.install, with no implausible suggestion', async () => {
    const err = await loadError('task("a"):command("true")\napt.install("nginx")\n');
    expect(err.code).toBe('load');
    expect(err.message).toMatch(/test\.sloth:2: apt\.install: 'apt' is not defined: no local, global or module has that name$/);
    expect(err.message).not.toContain('did you mean');
    expect((err as { hint?: string }).hint).toContain('sloth-runner modules list');
  });

  it('a misspelled module: exce.run suggests exec', async () => {
    const err = await loadError('task("a"):command(function()\n  exce.run("ls")\nend)');
    expect(err.message).toMatch(/test\.sloth:2: exce\.run: 'exce' is not defined: .* \(did you mean 'exec'\?\)$/);
  });

  it('an unknown function of a module, called with . or :, or indexed by a string', async () => {
    const err = await loadError(
      'task("a"):command(function()\n  fs.wrte("x", "y")\n  exec:rnu("ls")\n  local r = fs["exits"]\nend)',
    );
    expect(err.message).toMatch(/^\S*test\.sloth:2: unknown function fs\.wrte \(did you mean 'write'\?\)\n/);
    expect(err.message).toContain("test.sloth:3: unknown function exec.rnu (did you mean 'run'?)");
    expect(err.message).toContain("test.sloth:4: unknown function fs.exits (did you mean 'exists'?)");
  });

  it('an undefined variable at the end of a task list, which Lua would drop silently', async () => {
    const err = await loadError(
      'local terraform_plan = task("plan"):command("true")\nlocal a = task("a"):command("true")\nworkflow.define("w", {\n  tasks = { a, terraform_plan_task },\n})',
    );
    expect(err.message).toMatch(
      /test\.sloth:4: 'terraform_plan_task' in a tasks list is not defined: .* \(did you mean 'terraform_plan'\?\)$/,
    );
  });

  it('an undefined variable in :tasks({...}) and depends_on lists, suggesting a visible local', async () => {
    const err = await loadError(
      'local build = task("build"):command("true")\nlocal test = task("test"):command("true"):depends_on({ biuld })\nworkflow.define("w"):tasks({ build, tset })',
    );
    expect(err.message).toContain("test.sloth:2: 'biuld' in a depends_on list is not defined");
    expect(err.message).toContain("(did you mean 'build'?)");
    expect(err.message).toContain("test.sloth:3: 'tset' in a tasks list is not defined");
    expect(err.message).toContain("(did you mean 'test'?)");
  });

  it('a mistake inside a task body, which would only fail when the task runs, is found at load', async () => {
    const err = await loadError(
      'task("deploy"):command(function()\n  if params.env == "prod" then\n    notify_slak("done")\n  end\nend)',
    );
    expect(err.message).toMatch(/test\.sloth:3: 'notify_slak' is not defined/);
  });

  it('lists every mistake with its line, and runs nothing of the file', async () => {
    const marker = join(tmpdir(), `static-check-marker-${process.pid}`);
    const err = await loadError(
      `fs.write(${JSON.stringify(marker)}, "ran")\ntask("a"):command(function() undefined_one() end)\nfs.wrte("x")\nundefined_two = undefined_three\n`,
    );
    expect(err.message.split('\n')).toEqual([
      expect.stringMatching(/test\.sloth:2: 'undefined_one' is not defined/),
      expect.stringMatching(/^ {2}\S*test\.sloth:3: unknown function fs\.wrte/),
      expect.stringMatching(/^ {2}\S*test\.sloth:4: 'undefined_three' is not defined/),
    ]);
    expect(existsSync(marker)).toBe(false);
  });

  it('a local function declared after the function that calls it is not visible there', async () => {
    const err = await loadError(
      'local function first() return second() end\nlocal function second() return true end\ntask("a"):command(first)',
    );
    expect(err.message).toMatch(/test\.sloth:1: 'second' is not defined/);
  });

  it('a required file that is missing or broken leaves the error to require itself', async () => {
    const missing = await loadError('require("lib.nowhere")\ntask("a"):command(function() return helper() end)');
    expect(missing.message).toContain("module 'lib.nowhere' not found");
    // require's own did-you-mean is the same helper: plausible names only.
    expect((await loadError('require("exce")\ntask("a"):command("true")')).message).toContain("(did you mean 'exec'?)");
    expect((await loadError('require("apt")\ntask("a"):command("true")')).message).toMatch(
      /module 'apt' not found: no built-in module of that name and no file apt\.lua/,
    );
    const broken = await loadError('require("lib.broken")\ntask("a"):command(function() return helper() end)', {
      'lib/broken.lua': 'function helper( return true end',
    });
    expect(broken.message).toMatch(/lib\/broken\.lua:1: /);
  });

  it('a local that shadows a global is not the global; one that ends is no longer visible', async () => {
    const err = await loadError('do local helper = 1 end\nprint(helper)\ntask("a"):command("true")');
    expect(err.message).toMatch(/test\.sloth:2: 'helper' is not defined/);
  });
});

describe('what is defined passes', () => {
  it('Lua 5.4: <const> and <close> attribs, goto, integer division, bitwise operators', async () => {
    await loads(`local limit <const> = 10
local f <close>, g <const> = nil, 2
local n = 0
::again::
n = n + 1
if n < limit // 2 then goto again end
local bits = (n & 3) | (n ~ 1) << 2 >> 1 ~ ~n
task("a"):command(function() return bits >= 0 and g == 2 end)`);
  });

  it('a shebang line and a UTF-8 byte-order mark: the file loads and its lines are counted as written', async () => {
    const { result } = await runSource('#!/usr/bin/env sloth-runner\ntask("a"):command(function() log.info("ran") end)');
    expect(result.status).toBe('success');
    await loads('\uFEFFtask("a"):command("true")');
    expect((await loadError('#!/usr/bin/env sloth-runner\ntask("a"):command("true")\nnope()')).message).toMatch(
      /test\.sloth:3: 'nope' is not defined/,
    );
    expect((await loadError('\uFEFFtask("a"):command("true")\nnope()')).message).toMatch(/test\.sloth:2: 'nope' is not defined/);
  });

  it("the standard library, the workflow language's globals, values, params and every module", async () => {
    await loads(`local t = { string.format("%d", math.floor(1.5)), table.concat({}, ","), os.time(), utf8.char(72) }
local co = coroutine.wrap(function() end)
local ok = pcall(select, "#", ipairs({}), pairs({}), next({}), tostring(1), tonumber("1"), type(t))
local v, p = values.region, params.env
local j = data.json.encode({}) .. json.encode({}) .. yaml.encode({})
print(_VERSION, rawget(t, 1), getmetatable(t), setmetatable({}, {}), require("exec") == exec)
local w = workflow.define("w", { tasks = { task("a"):command(function() log.info(j) return state ~= nil and stack ~= nil and goroutine ~= nil and event ~= nil end) } })`);
  });

  it('globals the file assigns anywhere, also in one function and used in another', async () => {
    await loads(`function setup() CONFIG = { region = "eu" } end
local function region() return CONFIG.region end
counter, other = 0, 1
task("a"):command(function() setup() counter = counter + other return region() == "eu" end)`);
  });

  it('functions and fields a file adds to a module, and a local that shadows a module', async () => {
    await loads(`function exec.in_dir(dir, cmd) return exec.run("cd " .. dir .. " && " .. cmd) end
fs.helper = function() end
local log = { whatever = function() end }
log.whatever()
task("a"):command(function() fs.helper() return exec.in_dir("/", "true") end)`);
  });

  it('scopes: parameters, self of methods, loop variables, recursion, repeat-until, varargs', async () => {
    await loads(`local M = {}
function M:name() return self.n end
local function fact(n) if n <= 1 then return 1 end return n * fact(n - 1) end
for i = 1, 3 do fact(i) end
for k, v in pairs({ a = 1 }) do print(k, v) end
repeat local done = true until done
local function all(...) return select("#", ...) end
task("a"):command(function(this, params, deps) return this ~= nil and all(params, deps) >= 0 end)`);
  });

  it('globals a required Lua file defines (and the files it requires)', async () => {
    await loads('require("lib.helpers")\ntask("a"):command(function() return helper() and deep_helper() end)', {
      'lib/helpers.lua': 'require("lib.deep")\nfunction helper() return true end',
      'lib/deep.lua': 'deep_helper = function() return true end',
    });
  });

  it('a file that reaches globals dynamically is not checked for undefined globals', async () => {
    await loads(
      'for _, n in ipairs({ "a" }) do _G["make_" .. n] = function() return true end end\ntask("a"):command(function() return make_a() end)',
    );
    await loads('rawset(_G, "from_rawset", true)\ntask("a"):command(function() return from_rawset end)');
    await loads('load("from_load = true")()\ntask("a"):command(function() return from_load end)');
    await loads('local _ENV = setmetatable({}, { __index = _G })\nanything = 1\ntask("a"):command("true")');
    await loads('task("a"):command("true")\nlocal function sandboxed(_ENV) return undefined_here end');
    // Dynamic globals do not hide a module's unknown function.
    expect((await loadError('_G[("x")] = 1\ntask("a"):command(function() fs.wrte("x") end)')).message).toContain(
      'unknown function fs.wrte',
    );
  });

  it('_G.name defines name, and reading _G.name asks whether it exists', async () => {
    await loads('_G.FROM_G = true\nif _G.MAYBE_SET then print("set") end\ntask("a"):command(function() return FROM_G end)');
  });

  it("a syntax error is Lua's own message, not the checker's", async () => {
    const err = await loadError('task("a"):command("true")\nlocal = 3\nnope()');
    expect(err.message).toMatch(/test\.sloth:2: .*near '='/);
  });
});
