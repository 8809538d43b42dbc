import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sendJson, useTestServers } from '../../modules/http/src/test-server.test-helper.js';
import { runSource } from './test-workflow.test-helper.js';

// http (as http, as net, through require) and crypto from Lua: in a task, inside goroutines (worker threads that
// import the modules themselves), with errors at the caller's line.
const server = useTestServers();

describe('http and crypto in a workflow', () => {
  it('run in a task and in goroutines; require("http") and require("net") are the modules', async () => {
    const s = await server((req, res) => sendJson(res, 200, { path: req.url, body: req.body }));
    const { result, logs } = await runSource(
      `
task("checks"):command(function()
  local http, net = require("http"), require("net")
  local handles = {}
  for i = 1, 4 do
    handles[i] = goroutine.async(function()
      local r = http.get(params.url .. "/health/" .. i, { timeout = 5 })
      return r.status_code, r.json.path, crypto.sha256("x" .. i), require("net").get ~= nil
    end)
  end
  for i, result in ipairs(goroutine.await_all(handles)) do
    if not result.success then error(result.error) end
    log.info(table.concat({ result.values[1], result.values[2], result.values[3]:sub(1, 8), tostring(result.values[4]) }, " "))
  end
  local posted = net.post(params.url .. "/hook", { text = "deployed " .. crypto.uuid():sub(1, 0) .. "ok" })
  log.info("posted " .. posted.json.body)
end)
task("broken"):command(function()
  http.get("not a url")
end)
`,
      { params: { url: s.url } },
    );
    const byName = Object.fromEntries(result.tasks.map((t) => [t.name, t]));
    expect(byName.checks?.error).toBeUndefined();
    expect(logs.filter((l) => l.startsWith('checks:'))).toEqual([
      'checks: 200 /health/1 ec31682f true',
      'checks: 200 /health/2 844ecc08 true',
      'checks: 200 /health/3 844b69c4 true',
      'checks: 200 /health/4 7985b0c8 true',
      'checks: posted {"text":"deployed ok"}',
    ]);
    expect(byName.broken?.error).toMatch(/test\.sloth:19: http\.get: invalid URL "not a url"/);
  });

  it('crypto.password_hash makes a hash user.create stores (useradd -p) and openssl passwd -6 reproduces', async () => {
    const name = `slothtest_${randomBytes(4).toString('hex')}`;
    try {
      const { result } = await runSource(
        `task("user"):command(function()
  local hash = crypto.password_hash("correct horse")
  user.create({ username = params.name, password = hash })
  return true, hash
end)`,
        { params: { name } },
      );
      expect(result.tasks[0]?.error).toBeUndefined();
      const shadow = readFileSync('/etc/shadow', 'utf8')
        .split('\n')
        .find((l) => l.startsWith(`${name}:`))
        ?.split(':')[1] as string;
      expect(shadow).toMatch(/^\$6\$[./0-9A-Za-z]{16}\$/);
      const salt = shadow.split('$')[2] as string;
      expect(execFileSync('openssl', ['passwd', '-6', '-salt', salt, 'correct horse'], { encoding: 'utf8' }).trim()).toBe(shadow);
    } finally {
      spawnSync('userdel', ['-r', name], { stdio: 'ignore' });
    }
  });
});
