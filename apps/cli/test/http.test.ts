import { join } from 'node:path';
import { waitFor } from '@sloth/core/testing';
import { describe, expect, it } from 'vitest';
import { sendJson, useTestServers } from '../../../packages/modules/http/src/test-server.test-helper.js';
import { collect, runCli, startCli, writeFiles } from './cli.test-helper.js';

const server = useTestServers();

describe('http through the CLI', () => {
  it("runs the seed's parallel health check and its on_complete net.post(url, { text = ... })", async () => {
    const s = await server((req, res) =>
      req.url === '/db/health' ? sendJson(res, 503, { ok: false }) : sendJson(res, 200, { ok: true }),
    );
    const dir = writeFiles({
      'health.sloth': `
local health_check = task("parallel_health_check")
    :command(function(this, params)
        local goroutine = require("goroutine")
        local http = require("http")
        local endpoints = {
            {name = "API", url = "${s.url}/api/health"},
            {name = "Database", url = "${s.url}/db/health"},
        }
        local handles = {}
        for _, endpoint in ipairs(endpoints) do
            local handle = goroutine.async(function()
                local response = http.get(endpoint.url, {timeout = 5})
                return endpoint.name,
                       response.status_code == 200 and "healthy" or "unhealthy",
                       response.time_ms or 0
            end)
            table.insert(handles, handle)
        end
        local results = goroutine.await_all(handles)
        for _, result in ipairs(results) do
            if result.success then
                log.info("health " .. result.values[1] .. ": " .. result.values[2])
            end
        end
        return true, "Health check completed"
    end)
    :build()
workflow.define("health", {
    tasks = { health_check },
    on_complete = function(success, results)
        net.post("${s.url}/webhook", { text = "checks done: " .. tostring(success) })
        return true
    end
})`,
    });
    const r = await runCli(['workflow', 'run', '-f', join(dir, 'health.sloth')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('health API: healthy');
    expect(r.stdout).toContain('health Database: unhealthy');
    const hook = s.received.find((q) => q.url === '/webhook');
    expect([hook?.method, hook?.headers['content-type'], hook?.body]).toEqual([
      'POST',
      'application/json',
      '{"text":"checks done: true"}',
    ]);
  });

  it("a task's timeout stops a request that is still waiting, and Ctrl-C stops one at once", async () => {
    // Requests are left unanswered; /closed says whether the /slow request's connection was closed by the client.
    let slowClosed = false;
    const s = await server((req, res) => {
      if (req.url === '/closed') res.end(String(slowClosed));
      else if (req.url === '/slow') res.on('close', () => (slowClosed = true));
    });
    const dir = writeFiles({
      // The CLI is still running when the slow task's request is given up: watch sees it close from the server side.
      'slow.sloth': `task("slow"):timeout("1s"):command(function() http.get("${s.url}/slow", { timeout = "60s" }) end)
task("watch"):command(function()
  for _ = 1, 200 do
    if http.get("${s.url}/closed").body == "true" then log.info("slow request closed") return true end
    goroutine.sleep(50)
  end
  error("the slow request was not closed")
end)`,
      'wait.sloth': `task("wait"):command(function() http.get("${s.url}/wait", { timeout = "60s" }) end)`,
    });
    const slow = await runCli(['workflow', 'run', '-f', join(dir, 'slow.sloth')], { timeoutMs: 30_000 });
    expect(slow.code).not.toBe(0);
    expect(slow.stdout).toMatch(/slow\s+│\s+(failed|timeout)/);
    expect(`${slow.stdout}${slow.stderr}`).toContain('timed out after 1s');
    expect(slow.stdout).toContain('slow request closed');

    const child = startCli(['workflow', 'run', '-f', join(dir, 'wait.sloth')]);
    const done = collect(child, 20_000);
    await waitFor(() => s.received.some((q) => q.url === '/wait'), 15_000, 'the request to reach the server');
    child.kill('SIGINT');
    const r = await done;
    expect(r.code).toBe(130);
    expect(r.stdout).toMatch(/wait\s+│\s+aborted/);
  });
});
