import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { waitFor } from '@sloth/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { filesHolding, runCli, writeFiles } from './cli.test-helper.js';
import { freshHome } from './stack.test-helper.js';

// Exactly the seed's text (notify_failures.lua).
const SEED_HOOK = `-- Save as: notify_failures.lua
local hook = {
    name = "slack_notify_failures",
    event_type = "task.failed",
    stack = "production"
}

function hook.execute(event)
    local http = require("http")
    local json = require("json")
    local secret = require("secret")

    local task = event.data.task
    local webhook = secret.get("slack_webhook_url")

    local message = json.encode({
        text = string.format("🚨 Task Failed: %s on %s\\nError: %s",
            task.task_name,
            task.agent_name,
            task.error
        )
    })

    http.post(webhook, {
        headers = {["Content-Type"] = "application/json"},
        body = message
    })

    return true, "Notification sent"
end

return hook
`;

const FAILING = `task("deploy_app"):command(function() error("disk full on /var") end):build()
workflow.define("production", { tasks = { "deploy_app" } })
`;

const posted: { path: string; type: string | undefined; body: string }[] = [];
const slack = createServer((req: IncomingMessage, res) => {
  let body = '';
  req.on('data', (d: Buffer) => {
    body += d.toString();
  });
  req.on('end', () => {
    posted.push({ path: req.url ?? '', type: req.headers['content-type'], body });
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
});
afterAll(() => new Promise<void>((resolve) => slack.close(() => resolve())));

describe("the seed's Slack hook example", () => {
  it('posts the failure to the webhook stored with `secret set`, and the URL appears nowhere', async () => {
    await new Promise<void>((resolve) => slack.listen(0, '127.0.0.1', () => resolve()));
    const port = (slack.address() as AddressInfo).port;
    const secretPath = '/services/T0SLOTH/B0SLOTH/s3cr3tW3bh00k';
    const webhook = `http://127.0.0.1:${port}${secretPath}`;
    const home = freshHome();
    const env = { SLOTH_HOME: home };
    expect((await runCli(['secret', 'set', 'slack_webhook_url'], { env, input: webhook })).code).toBe(0);
    const dir = writeFiles({ 'notify_failures.lua': SEED_HOOK, 'deploy.sloth': FAILING });
    const add = await runCli(['hook', 'add', join(dir, 'notify_failures.lua')], { env });
    expect(add.stderr).toBe('');

    const run = await runCli(['workflow', 'run', 'production', '-f', join(dir, 'deploy.sloth'), '--output', 'json'], { env });
    expect(run.code).toBe(1);
    await waitFor(() => posted.length === 1, 20_000, 'the hook to post to the stand-in for Slack');
    expect(posted[0]?.path).toBe(secretPath);
    expect(posted[0]?.type).toBe('application/json');
    expect(JSON.parse(posted[0]?.body ?? '{}').text).toMatch(/^🚨 Task Failed: deploy_app on .*\nError: .*disk full on \/var/);

    const history = await runCli(['hook', 'history', 'slack_notify_failures', '--output', 'json'], { env });
    expect(history.stdout).toContain('Notification sent');
    const events = await runCli(['events', 'list', '--output', 'json'], { env });
    for (const out of [run.stdout, run.stderr, history.stdout, history.stderr, events.stdout])
      expect(out).not.toContain('s3cr3tW3bh00k');
    expect(filesHolding(home, 's3cr3tW3bh00k')).toEqual([]);
  });
});
