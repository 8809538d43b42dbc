import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliResult, filesHolding, runCli, writeFiles } from './cli.test-helper.js';
import { peek, writeHook } from './events.test-helper.js';
import { freshHome } from './stack.test-helper.js';

const VALUE = 'https://hooks.slack.test/services/T0/B0/xoxb-s3cr3t-4242';
const TOKEN = 'xoxb-s3cr3t-4242';

function sloth(home: string, args: string[], opts: { input?: string; env?: Record<string, string>; cwd?: string } = {}) {
  return runCli(args, { ...opts, env: { SLOTH_HOME: home, ...opts.env } });
}

function expectNoSecret(r: CliResult, what: string): void {
  expect(r.stdout, `${what}: stdout`).not.toContain(TOKEN);
  expect(r.stderr, `${what}: stderr`).not.toContain(TOKEN);
}

describe('sloth-runner secret', () => {
  it('sets from stdin, gets, lists names and dates only, deletes; bad input is a clear usage error', async () => {
    const home = freshHome();
    const set = await sloth(home, ['secret', 'set', 'slack_webhook_url'], { input: `${VALUE}\n` });
    expect(set.stderr).toBe('');
    expect(set.stdout).toContain(`set secret slack_webhook_url in ${home}`);
    expect(set.code).toBe(0);
    const get = await sloth(home, ['secret', 'get', 'slack_webhook_url']);
    expect(get.stdout).toBe(`${VALUE}\n`);
    const list = await sloth(home, ['secret', 'list']);
    expect(list.stdout).toContain('slack_webhook_url');
    expect(list.stdout).not.toContain(TOKEN);
    const json = JSON.parse((await sloth(home, ['secret', 'list', '--output', 'json'])).stdout);
    expect(json).toEqual([{ name: 'slack_webhook_url', created_at: expect.any(String), updated_at: expect.any(String) }]);
    expect(statSync(join(home, 'secret.key')).mode & 0o777).toBe(0o600);
    expect(filesHolding(home, TOKEN)).toEqual([]);

    const unknown = await sloth(home, ['secret', 'get', 'slack_webhok_url']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("no secret 'slack_webhok_url'");
    expect(unknown.stderr).toContain('slack_webhook_url');
    expect(unknown.stderr).toContain('sloth-runner secret set slack_webhok_url');
    expect(unknown.stderr).not.toContain('    at ');
    const empty = await sloth(home, ['secret', 'set', 'x'], { input: '' });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain("no value for secret 'x': stdin was empty");
    const badName = await sloth(home, ['secret', 'set', '9 lives', 'v']);
    expect(badName.code).toBe(2);
    expect(badName.stderr).toContain("'9 lives' is not a secret name");

    expect((await sloth(home, ['secret', 'delete', 'slack_webhook_url'])).stdout).toContain('deleted secret slack_webhook_url');
    const again = await sloth(home, ['secret', 'delete', 'slack_webhook_url']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("no secret 'slack_webhook_url'");
  });

  it('with a passphrase: a wrong one is a clear error, never garbage; rotate-key moves to a new one and to a key file', async () => {
    const home = freshHome();
    const dir = writeFiles({ 'one.txt': 'first passphrase\n', 'two.txt': 'second passphrase\n' });
    const one = { SLOTH_SECRET_PASSPHRASE: 'first passphrase' };
    expect((await sloth(home, ['secret', 'set', 'db_password', 'hunter2-is-long'], { env: one })).code).toBe(0);
    const wrong = await sloth(home, ['secret', 'get', 'db_password'], { env: { SLOTH_SECRET_PASSPHRASE: 'nope' } });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain(`the passphrase does not open the secrets in ${home}`);
    expect(wrong.stdout).toBe('');
    const none = await sloth(home, ['secret', 'get', 'db_password']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('protected by a passphrase, and none was given');
    expect((await sloth(home, ['secret', 'get', 'db_password', '--passphrase-file', join(dir, 'one.txt')])).stdout).toBe(
      'hunter2-is-long\n',
    );

    const flow = writeFiles({
      'w.sloth':
        'task("t"):command(function() log.info(secret.get("db_password")) end):build()\nworkflow.define("w", { tasks = { "t" } })',
    });
    const wrongRun = await sloth(home, ['workflow', 'run', 'w', '-f', join(flow, 'w.sloth')], {
      env: { SLOTH_SECRET_PASSPHRASE: 'nope' },
    });
    expect(wrongRun.code).toBe(1);
    expect(wrongRun.stdout).toContain('secret.get: the passphrase does not open the secrets in');
    expect(wrongRun.stdout + wrongRun.stderr).not.toContain('hunter2');

    const rotate = await sloth(home, ['secret', 'rotate-key', '--new-passphrase-file', join(dir, 'two.txt')], { env: one });
    expect(rotate.stdout).toContain('re-encrypted 1 secret(s)');
    expect((await sloth(home, ['secret', 'get', 'db_password'], { env: one })).code).toBe(2);
    const two = { SLOTH_SECRET_PASSPHRASE_FILE: join(dir, 'two.txt') };
    expect((await sloth(home, ['secret', 'get', 'db_password'], { env: two })).stdout).toBe('hunter2-is-long\n');
    expect((await sloth(home, ['secret', 'rotate-key'], { env: two })).stdout).toContain(`a new key in ${home}/secret.key`);
    expect((await sloth(home, ['secret', 'get', 'db_password'])).stdout).toBe('hunter2-is-long\n');
    expect(filesHolding(home, 'hunter2')).toEqual([]);
  });

  it('a corrupt row is an error naming the secret, in the CLI and in a workflow', async () => {
    const home = freshHome();
    await sloth(home, ['secret', 'set', 'api_token', TOKEN]);
    peek(home, (store) => store.sqlite.prepare("UPDATE secrets SET value = 'v1:Zm9vYmFyYmF6cXV4cXV1eHh4eHh4eHg=' ").run());
    const get = await sloth(home, ['secret', 'get', 'api_token']);
    expect(get.code).toBe(2);
    expect(get.stderr).toContain(`secret 'api_token' in ${home} cannot be decrypted: its row is corrupt`);
    const dir = writeFiles({
      'w.sloth': `task("t"):command(function() return true, secret.get("api_token") end):build()
workflow.define("w", { tasks = { "t" } })`,
    });
    const run = await sloth(home, ['workflow', 'run', 'w', '-f', join(dir, 'w.sloth')]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("secret.get: secret 'api_token'");
    expect(run.stdout).toContain('cannot be decrypted');
  });

  it('masks every value a run reads: logs, command output, errors, outputs, events, diffs, hooks, JSON and the data directory', async () => {
    const home = freshHome();
    await sloth(home, ['secret', 'set', 'slack_webhook_url'], { input: VALUE });
    const dir = writeFiles({
      'w.sloth': `
local at_load = secret.get("slack_webhook_url")
log.info("loaded " .. at_load)
task("use")
  :command(function(params)
    local s = require("secret")
    local url = s.get("slack_webhook_url")
    log.info("posting to " .. url, { url = url })
    exec.run("echo from-a-command " .. url)
    event.dispatch("custom.notified", { url = url, nested = { text = "x" .. url .. "y" } })
    file_ops.copy({ dest = params.dest, content = "webhook=" .. url .. "\\n" })
    return true, "sent to " .. url, { url = url }
  end)
  :build()
task("fail")
  :depends_on({ "use" })
  :command(function()
    if secret.exists("slack_webhook_url") then error("cannot reach " .. secret.get("slack_webhook_url")) end
  end)
  :build()
task("goroutines")
  :command(function()
    local url = secret.get("slack_webhook_url")
    local passed = goroutine.async(function(v) log.info("goroutine got " .. v) return true end, url)
    local reads = goroutine.async(function() return secret.get("slack_webhook_url") end)
    goroutine.await(passed)
    local ok, err = goroutine.await(reads)
    log.info("goroutine read: " .. tostring(ok) .. " " .. tostring(err))
  end)
  :build()
workflow.define("w", { tasks = { "use", "fail", "goroutines" } })
`,
    });
    const hookFile = writeHook(
      dir,
      'notify.lua',
      'notify_failures',
      'task.failed',
      `local secret = require("secret")
  local webhook = secret.get("slack_webhook_url")
  log.info("hook posting to " .. webhook .. " about " .. event.data.task.error)
  return true, "notified " .. webhook`,
    );
    expect((await sloth(home, ['hook', 'add', hookFile])).code).toBe(0);
    writeFileSync(join(dir, 'dest.txt'), 'old\n');
    const dest = ['--param', `dest=${join(dir, 'dest.txt')}`];

    const text = await sloth(home, ['workflow', 'run', 'w', '-f', join(dir, 'w.sloth'), '--diff', ...dest]);
    expect(text.code).toBe(1);
    expectNoSecret(text, 'text run');
    expect(text.stdout).toContain('[w.sloth] loaded ***');
    expect(text.stdout).toContain('[use] posting to *** url=***');
    expect(text.stdout).toContain('[use] from-a-command ***');
    expect(text.stdout).toContain('+webhook=***');
    expect(text.stdout).toContain('cannot reach ***');
    expect(text.stderr).toContain('hook posting to *** about');
    expect(text.stdout).toContain('[goroutines] goroutine got ***');
    expect(text.stdout).toContain('secret.get is not available inside a goroutine');
    // The file itself holds the value: masking is for what leaves the run, not what it was asked to do.
    expect(readFileSync(join(dir, 'dest.txt'), 'utf8')).toBe(`webhook=${VALUE}\n`);

    const json = await sloth(home, ['workflow', 'run', 'w', '-f', join(dir, 'w.sloth'), '--output', 'json', ...dest]);
    expectNoSecret(json, 'json run');
    const report = JSON.parse(json.stdout);
    expect(report.outputs.use).toEqual({ url: '***' });
    expect(report.tasks.fail.error).toContain('cannot reach ***');

    const events = await sloth(home, ['events', 'list', '--output', 'json', '--limit', '100']);
    expectNoSecret(events, 'events list');
    expect(events.stdout).toContain('custom.notified');
    const history = await sloth(home, ['hook', 'history', 'notify_failures', '--output', 'json']);
    expectNoSecret(history, 'hook history');
    expect(history.stdout).toContain('notified ***');
    expect(filesHolding(home, TOKEN)).toEqual([]);
  });

  it('encrypt-values keeps keys readable, -v decrypts and masks, decrypt-values restores; another key is a clear error', async () => {
    const home = freshHome();
    const dir = writeFiles({
      'values.yaml': '# prod\ndb:\n  host: db.internal\n  password: hunter2-is-long\n  port: 5432\n',
      'w.sloth': `task("t"):command(function()
  log.info("connecting to " .. values.db.host .. ":" .. values.db.port .. " with " .. values.db.password)
  return true, "ok", { port_type = type(values.db.port) }
end):build()
workflow.define("w", { tasks = { "t" } })`,
    });
    const file = join(dir, 'values.yaml');
    const original = readFileSync(file, 'utf8');
    const enc = await sloth(home, ['secret', 'encrypt-values', file]);
    expect(enc.stdout).toContain('encrypted 3 value(s)');
    const encrypted = readFileSync(file, 'utf8');
    expect(encrypted).toContain('# prod');
    expect(encrypted).toMatch(/password: ENC\[AES256_GCM,v1:/);
    expect(encrypted).not.toContain('hunter2');

    const run = await sloth(home, ['workflow', 'run', 'w', '-f', join(dir, 'w.sloth'), '-v', file, '--output', 'json']);
    expect(run.stderr).toContain('[t] connecting to ***:*** with ***');
    expect(JSON.parse(run.stdout).outputs.t).toEqual({ port_type: 'number' });
    expect(run.stdout + run.stderr).not.toContain('hunter2');

    const other = await sloth(freshHome(), ['workflow', 'run', 'w', '-f', join(dir, 'w.sloth'), '-v', file]);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain(`values file ${file}: the value of 'db.host' cannot be decrypted`);

    expect((await sloth(home, ['secret', 'decrypt-values', file])).stdout).toContain('decrypted 3 value(s)');
    expect(readFileSync(file, 'utf8')).toBe(original);
  });
});
