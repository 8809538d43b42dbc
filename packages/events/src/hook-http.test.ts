import type { EventRecord } from '@sloth/store-sqlite';
import { describe, expect, it } from 'vitest';
import { useTestServers } from '../../modules/http/src/test-server.test-helper.js';
import { addHook, hookSource, useStores } from './events.test-helper.js';

const { fresh } = useStores();
const server = useTestServers();

describe('http in hooks', () => {
  it("posts the seed's Slack-style notification (require('http'), require('json'), headers and body)", async () => {
    const s = await server((_req, res) => res.writeHead(200).end('ok'));
    const t = fresh();
    const hook = await addHook(
      t.store,
      t.dir,
      'notify.lua',
      hookSource(
        'notify',
        'task.failed',
        `local http = require("http")
local json = require("json")
local task = event.data.task
local message = json.encode({ text = string.format("Task Failed: %s\\nError: %s", task.task_name, task.error) })
local r = http.post(event.data.webhook, { headers = { ["Content-Type"] = "application/json" }, body = message })
return r.success, "Notification sent"`,
      ),
    );
    const id = t.events.dispatch(
      'task.failed',
      { webhook: `${s.url}/services/T0`, task: { task_name: 'deploy', error: 'boom' } },
      { source: 'cli' },
    );
    const [result] = await t.runner.executeBatch(hook, [{ event: t.events.find(id) as EventRecord, attempt: 1 }]);
    expect([result?.success, result?.output, result?.error]).toEqual([true, 'Notification sent', undefined]);
    expect(s.received.map((r) => [r.method, r.url, r.headers['content-type'], r.body])).toEqual([
      ['POST', '/services/T0', 'application/json', '{"text":"Task Failed: deploy\\nError: boom"}'],
    ]);
  });
});
