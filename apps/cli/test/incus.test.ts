import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeIncus } from '../../../packages/modules/incus/src/fake-incus.test-helper.js';
import { startSshd, type TestSshd } from '../../../packages/ssh/src/sshd.test-helper.js';
import { runCli, runTaskJson, writeFiles } from './cli.test-helper.js';

const WORKFLOW = `task("vm"):command(function()
  local web = incus.instance({ name = "web-01", image = "images:debian/12", profiles = { "default" } })
    :create()
    :start()
    :wait_running()
  web:exec("apt-get update")
  return true, "up", { ok = web.result.success, name = web.name }
end):build()
`;

let sshd: TestSshd;
beforeAll(async () => {
  sshd = await startSshd(1);
});
afterAll(async () => {
  await sshd?.close();
});

describe('incus from Lua (fake incus CLI, real sloth-runner)', () => {
  it('the fluent instance API creates and starts once; a rerun and --check change nothing', async () => {
    const fake = fakeIncus();
    const dir = writeFiles({ 'vm.sloth': WORKFLOW });
    const run = (...extra: string[]) => runTaskJson(dir, 'vm.sloth', 'vm', { SLOTH_INCUS_BIN: fake.bin }, ...extra);
    expect(await run()).toMatchObject({ status: 'success', changed: true, output: { ok: true, name: 'web-01' } });
    expect(
      fake
        .calls()
        .filter((a) => a[0] !== 'list')
        .map((a) => a[0]),
    ).toEqual(['init', 'start', 'exec']);
    expect(await run()).toMatchObject({ status: 'success', changes: [] });
    expect(await run('--check')).toMatchObject({ status: 'success', changes: [] });
    expect(
      fake
        .calls()
        .filter((a) => a[0] !== 'list')
        .map((a) => a[0]),
    ).toEqual(['init', 'start', 'exec', 'exec']);
  });

  it('the web cluster: a network and a profile, three servers in goroutines attached, configured and snapshotted; a rerun changes nothing', {
    timeout: 600_000,
  }, async () => {
    const fake = fakeIncus();
    // The README's cluster example, run on this machine (its delegate_to needs an agent where incus runs).
    const dir = writeFiles({
      'nginx.conf': 'events {}\n',
      'cluster.sloth': `task({
    name = "deploy-web-cluster",
    run = function()
        incus.network({ name = "web-dmz", type = "bridge" }):set_config({
            ["ipv4.address"] = "10.10.0.1/24", ["ipv4.nat"] = "true", ["ipv6.address"] = "none"
        }):create()
        incus.profile({ name = "web-server", description = "Optimized for web servers" }):set_config({
            ["limits.cpu"] = "4", ["limits.memory"] = "4GB", ["boot.autostart"] = "true"
        }):create()
        goroutine.map({ "web-01", "web-02", "web-03" }, function(name)
            local web = incus.instance({ name = name, image = "ubuntu:22.04", profiles = { "default", "web-server" } })
            web:create():start():wait_running()
            incus.network({ name = "web-dmz" }):attach(name)
            web:exec("apt update && apt install -y nginx")
            web:file_push("./nginx.conf", "/etc/nginx/nginx.conf")
            incus.snapshot({ instance = name, name = "initial-setup", stateful = true }):create()
        end)
    end
})
`,
    });
    // Some 60 calls of the fake CLI (a Node process each): more than the default 30 s on a loaded machine.
    const run = async () => {
      const r = await runCli(['workflow', 'run', '-f', 'cluster.sloth', '-o', 'json'], {
        cwd: dir,
        env: { SLOTH_INCUS_BIN: fake.bin },
        timeoutMs: 240_000,
      });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      return JSON.parse(r.stdout).tasks['deploy-web-cluster'];
    };
    const first = await run();
    expect(first).toMatchObject({ status: 'success', changed: true });
    const made = (verb: string) => fake.calls().filter((a) => a[1] === verb || a[0] === verb);
    expect(made('create').map((a) => a.slice(0, 3).join(' '))).toEqual(
      expect.arrayContaining(['network create web-dmz', 'profile create web-server', 'snapshot create web-01']),
    );
    expect(
      made('init')
        .map((a) => a[2])
        .sort(),
    ).toEqual(['web-01', 'web-02', 'web-03']);
    expect(made('attach')).toHaveLength(3);
    const state = JSON.parse(readFileSync(join(fake.dir, 'state.json'), 'utf8'));
    expect(state.network['web-dmz'].config).toEqual({
      'ipv4.address': '10.10.0.1/24',
      'ipv4.nat': 'true',
      'ipv6.address': 'none',
    });
    expect(Object.values(state.instances).map((i) => (i as { snapshots: unknown[] }).snapshots)).toEqual([
      [{ name: 'initial-setup', stateful: true }],
      [{ name: 'initial-setup', stateful: true }],
      [{ name: 'initial-setup', stateful: true }],
    ]);
    // A rerun: nothing is created again; exec and file_push run again (they are commands, not states).
    const calls = fake.calls().length;
    const again = await run();
    expect(again.status).toBe('success');
    const rerun = fake
      .calls()
      .slice(calls)
      .filter((a) => a[0] !== 'list' && a[1] !== 'list');
    expect(rerun.map((a) => a[0]).sort()).toEqual(['exec', 'exec', 'exec', 'file', 'file', 'file']);
  });

  it(':delegate_to(host) runs the next steps where incus is: an inventory host over SSH', async () => {
    const fake = fakeIncus();
    const dir = writeFiles({
      'inventory.yaml': `hosts:\n  production-host: { address: 127.0.0.1, port: ${sshd.ports[0]}, user: root, key_file: ${sshd.keyFile} }\n`,
      'remote.sloth': `task("remote"):command(function()
  incus.instance({ name = "prod-app", image = "ubuntu:22.04" }):delegate_to("production-host"):create():start()
end):build()
`,
    });
    const r = await runCli(['workflow', 'run', '-f', 'remote.sloth', '-i', 'inventory.yaml', '-o', 'json'], {
      cwd: dir,
      env: { SLOTH_INCUS_BIN: fake.bin },
      timeoutMs: 120_000,
    });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const changes = JSON.parse(r.stdout).tasks.remote.changes as { host?: string; function: string; target: string }[];
    expect(changes.map((c) => [c.host, c.function, c.target])).toEqual([
      ['production-host', 'instance_create', 'prod-app'],
      ['production-host', 'instance_start', 'prod-app'],
    ]);
    expect(fake.calls().filter((a) => a[0] === 'init' || a[0] === 'start')).toHaveLength(2);
    const bad = await runCli(['workflow', 'run', '-f', 'remote.sloth'], { cwd: dir, env: { SLOTH_INCUS_BIN: fake.bin } });
    expect(bad.code).toBe(1);
    expect(bad.stdout + bad.stderr).toMatch(/production-host/);
  });
});
