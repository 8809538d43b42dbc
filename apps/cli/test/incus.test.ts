import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeIncus } from '../../../packages/modules/incus/src/fake-incus.test-helper.js';
import { startSshd, type TestSshd } from '../../../packages/ssh/src/sshd.test-helper.js';
import { runCli, runTaskJson, writeFiles } from './cli.test-helper.js';
import { fleetHome, startAgent, startMaster, withMaster } from './fleet.test-helper.js';

const WORKFLOW = `task("vm"):command(function()
  local web = incus.instance({ name = "web-01", image = "images:debian/12", profiles = { "default" } })
    :create()
    :start()
    :wait_running()
  web:exec("apt-get update")
  return true, "up", { ok = web.result.success, name = web.name }
end):build()
`;

// The README's web cluster, word for word.
const SEED_CLUSTER = `task({
    name = "deploy-web-cluster",
    delegate_to = "incus-host-01",
    run = function()
        -- Create network infrastructure
        incus.network({
            name = "web-dmz",
            type = "bridge"
        }):set_config({
            ["ipv4.address"] = "10.10.0.1/24",
            ["ipv4.nat"] = "true",
            ["ipv6.address"] = "none"
        }):create()

        -- Create high-performance profile
        incus.profile({
            name = "web-server",
            description = "Optimized for web servers"
        }):set_config({
            ["limits.cpu"] = "4",
            ["limits.memory"] = "4GB",
            ["boot.autostart"] = "true"
        }):create()

        -- Deploy 3 web servers in parallel
        local servers = {"web-01", "web-02", "web-03"}
        goroutine.map(servers, function(name)
            local web = incus.instance({
                name = name,
                image = "ubuntu:22.04",
                profiles = {"default", "web-server"}
            })

            -- Fluent API: create → start → wait → configure
            web:create()
               :start()
               :wait_running()

            -- Attach to network
            incus.network({name = "web-dmz"}):attach(name)

            -- Install and configure nginx
            web:exec("apt update && apt install -y nginx")
            web:file_push("./nginx.conf", "/etc/nginx/nginx.conf")
            web:exec("systemctl restart nginx")

            -- Create backup snapshot
            incus.snapshot({
                instance = name,
                name = "initial-setup",
                stateful = true
            }):create()

            log.info("✅ Server " .. name .. " deployed!")
        end)

        log.info("🎉 Web cluster deployed successfully!")
    end
})
`;

// The README's multi-host deployment as written, in a task (the README shows the body only).
const SEED_HOSTS = `task({ name = "deploy", run = function()
-- Deploy across multiple hosts
local hosts = {
    {name = "host-01", role = "database"},
    {name = "host-02", role = "application"},
    {name = "host-03", role = "cache"}
}

goroutine.map(hosts, function(host)
    incus.instance({
        name = host.role .. "-server",
        image = "ubuntu:22.04"
    }):delegate_to(host.name)
      :create()
      :start()
      :wait_running()
    
    log.info("✅ Deployed on " .. host.name)
end)
end })
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
    // A rerun: nothing is created or pushed again (the file there is the same); exec runs again (it is a command).
    const calls = fake.calls().length;
    const again = await run();
    expect(again.status).toBe('success');
    const rerun = fake
      .calls()
      .slice(calls)
      .filter((a) => a[0] !== 'list' && a[1] !== 'list' && a[1] !== 'pull');
    expect(rerun.map((a) => a[0]).sort()).toEqual(['exec', 'exec', 'exec']);
    expect(again.changes.map((c: { function: string }) => c.function)).toEqual([]);
  });

  it('the README examples as written on agents: the web cluster delegated to incus-host-01, and a goroutine.map of :delegate_to(agent) over 3 hosts (fake incus CLI on each agent)', {
    timeout: 600_000,
  }, async () => {
    const { home, tokenFile } = fleetHome();
    // Not a test of heartbeats: four agents and some 100 fake CLI processes on 2 cores may miss fast ones.
    const master = await startMaster(home, tokenFile, 0, ['--heartbeat-interval', '5s']);
    // incus-host-01 runs the whole task, nginx.conf in its working directory; host-0N each have their own incus.
    const clusterFake = fakeIncus();
    const hostDir = writeFiles({ 'nginx.conf': 'events {}\n' });
    const fakes = [1, 2, 3].map(() => fakeIncus());
    const agents = [
      startAgent(home, 'incus-host-01', master.url, tokenFile, { env: { SLOTH_INCUS_BIN: clusterFake.bin }, cwd: hostDir }),
      ...fakes.map((f, i) => startAgent(home, `host-0${i + 1}`, master.url, tokenFile, { env: { SLOTH_INCUS_BIN: f.bin } })),
    ];
    await Promise.all(agents.map((a) => a.waitFor(/registered with the master/, 60_000)));
    const dir = writeFiles({ 'cluster.sloth': SEED_CLUSTER, 'hosts.sloth': SEED_HOSTS });
    const run = async (file: string) => {
      const r = await runCli(['workflow', 'run', '-f', file, '-o', 'json', ...withMaster(master.url, tokenFile)], {
        cwd: dir,
        timeoutMs: 300_000,
      });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      return JSON.parse(r.stdout).tasks;
    };
    const cluster = (await run('cluster.sloth'))['deploy-web-cluster'];
    expect(cluster).toMatchObject({ status: 'success', changed: true });
    const state = JSON.parse(readFileSync(join(clusterFake.dir, 'state.json'), 'utf8'));
    expect(Object.keys(state.instances).sort()).toEqual(['web-01', 'web-02', 'web-03']);
    for (const i of Object.values(state.instances) as { files: Record<string, { content: string }>; networks: string[] }[]) {
      expect(Buffer.from(i.files['/etc/nginx/nginx.conf']?.content ?? '', 'base64').toString()).toBe('events {}\n');
      expect(i.networks).toEqual(['web-dmz']);
    }
    // Run again: everything is there as wanted, so only the commands run.
    const pushes = () => clusterFake.calls().filter((a) => a[0] === 'file' && a[1] === 'push').length;
    expect(pushes()).toBe(3);
    const again = (await run('cluster.sloth'))['deploy-web-cluster'];
    expect(again.changes).toEqual([]);
    expect(pushes()).toBe(3);

    const hosts = (await run('hosts.sloth')).deploy;
    expect(hosts.status).toBe('success');
    // Each goroutine's calls ran on its own agent, with that agent's incus.
    const roles = ['database', 'application', 'cache'];
    fakes.forEach((f, i) => {
      const made = JSON.parse(readFileSync(join(f.dir, 'state.json'), 'utf8')).instances;
      expect(Object.keys(made)).toEqual([`${roles[i]}-server`]);
      expect(made[`${roles[i]}-server`].status).toBe('Running');
    });
    expect(
      hosts.changes.map((c: { host?: string; function: string; target: string }) => `${c.host} ${c.function} ${c.target}`).sort(),
    ).toEqual(
      roles.flatMap((r, i) => [`host-0${i + 1} instance_create ${r}-server`, `host-0${i + 1} instance_start ${r}-server`]).sort(),
    );
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
    // From goroutines too: the task that started them makes the calls over its SSH connection.
    writeFileSync(
      join(dir, 'fan.sloth'),
      `task("fan"):command(function()
  goroutine.map({ "app-a", "app-b" }, function(name)
    incus.instance({ name = name, image = "ubuntu:22.04" }):delegate_to("production-host"):create()
  end)
end):build()
`,
    );
    const fan = await runCli(['workflow', 'run', '-f', 'fan.sloth', '-i', 'inventory.yaml', '-o', 'json'], {
      cwd: dir,
      env: { SLOTH_INCUS_BIN: fake.bin },
      timeoutMs: 120_000,
    });
    expect(fan.code, fan.stdout + fan.stderr).toBe(0);
    const fanned = JSON.parse(fan.stdout).tasks.fan.changes as { host?: string; target: string }[];
    expect(fanned.map((c) => `${c.host} ${c.target}`).sort()).toEqual(['production-host app-a', 'production-host app-b']);
    const bad = await runCli(['workflow', 'run', '-f', 'remote.sloth'], { cwd: dir, env: { SLOTH_INCUS_BIN: fake.bin } });
    expect(bad.code).toBe(1);
    expect(bad.stdout + bad.stderr).toMatch(/production-host/);
  });
});
