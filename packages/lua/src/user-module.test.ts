import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { runSource } from './test-workflow.test-helper.js';

// The user module from Lua, on real accounts (the tests run as root, as CI does), with a throw-away name.
const name = `slothtest_${randomBytes(4).toString('hex')}`;
afterEach(() => {
  spawnSync('userdel', ['-r', name], { stdio: 'ignore' });
});

const WORKFLOW = `
task("create"):command(function()
  local r = user.create({ username = params.name, shell = "/bin/sh" })
  if not r.changed or r.changes.exists.new ~= true then error("expected a new user: " .. json.encode(r)) end
  local again = user.create({ name = params.name, shell = "/bin/sh" })
  if again.changed or next(again.changes) ~= nil then error("expected no change: " .. json.encode(again)) end
end)
task("shell"):depends_on({ "create" }):command(function()
  local r = user.create({ username = params.name, shell = "/bin/bash" })
  if not r.changed then error("expected a change") end
  if r.changes.shell.old ~= "/bin/sh" or r.changes.shell.new ~= "/bin/bash" then error(json.encode(r.changes)) end
  if user.info(params.name).shell ~= "/bin/bash" or not user.exists(params.name) then error("not changed") end
end)
task("bad"):depends_on({ "shell" }):command(function()
  user.create({ username = "web user" })
end)
`;

describe('the user module in a workflow', () => {
  it("returns the change contract to Lua (changed, changes.shell.old/new); a bad name fails at the caller's line", async () => {
    const { result } = await runSource(WORKFLOW, { params: { name } });
    const byName = Object.fromEntries(result.tasks.map((t) => [t.name, t]));
    expect([byName.create?.error, byName.shell?.error]).toEqual([undefined, undefined]);
    expect([byName.create?.changed, byName.shell?.changed]).toEqual([true, true]);
    expect(byName.bad?.error).toMatch(
      /test\.sloth:15: user\.create: argument #1 \(opts\) field 'username': 'web user' contains a space/,
    );
  });

  it('in check mode changes nothing and reports the user it would create', async () => {
    const { result } = await runSource(
      `task("c"):command(function()
        local r = user.create({ username = params.name })
        if not (r.changed and r.check_mode) then error(json.encode(r)) end
        if user.exists(params.name) then error("created in check mode") end
      end)`,
      { params: { name }, run: { checkMode: true } },
    );
    expect(result.tasks.map((t) => t.error)).toEqual([undefined]);
    expect(result.tasks[0]?.changed).toBe(true);
  });
});
