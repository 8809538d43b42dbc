import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BUSYBOX,
  BUSYBOX_NEXT,
  type DockerEngine,
  startDockerEngine,
} from '../../../packages/modules/docker/src/docker-engine.test-helper.js';
import { fakeDocker } from '../../../packages/modules/docker/src/fake-docker.test-helper.js';
import { runCli, runTaskJson, writeFiles } from './cli.test-helper.js';
import { freshHome } from './stack.test-helper.js';

const WORKFLOW = `task("web"):command(function()
  local r = docker.container({
    name = "web", image = "${BUSYBOX}", command = { "sleep", "3600" },
    env = { TZ = "UTC" }, restart = "unless-stopped",
  })
  local c = docker.inspect("web")
  return true, "web", { changed = r.changed, running = c ~= nil and c.State.Running }
end):build()
`;

let engine: DockerEngine;
beforeAll(async () => {
  engine = await startDockerEngine();
}, 120_000);
afterAll(async () => {
  await engine?.stop();
}, 60_000);

describe('docker from Lua (real sloth-runner; a real Docker engine started by the test, or a fake docker CLI where named)', () => {
  it('docker.container creates once, then reports no change; --check changes nothing (real Docker engine)', async () => {
    const dir = writeFiles({ 'web.sloth': WORKFLOW });
    const env = { DOCKER_HOST: engine.host };
    const run = (...extra: string[]) => runTaskJson(dir, 'web.sloth', 'web', env, ...extra);
    const first = await run();
    expect(first).toMatchObject({ status: 'success', changed: true, output: { changed: true, running: true } });
    expect(first.changes[0]).toMatchObject({ function: 'container', changes: { state: { new: 'started' } } });
    const id = engine.docker('inspect', '--format', '{{.Id}}', 'web');
    expect(await run()).toMatchObject({ changed: false, output: { changed: false } });

    const edited = writeFiles({ 'web.sloth': WORKFLOW.replace(BUSYBOX, BUSYBOX_NEXT) });
    const check = await runTaskJson(edited, 'web.sloth', 'web', env, '--check');
    expect(check.changes[0]?.changes).toEqual({ image: { old: BUSYBOX, new: BUSYBOX_NEXT } });
    expect(engine.docker('inspect', '--format', '{{.Id}}', 'web')).toBe(id);
    engine.docker('rm', '-f', 'web');
  });

  it('a missing docker fails the task at the Lua line, saying how to fix it', async () => {
    const dir = writeFiles({ 'web.sloth': WORKFLOW });
    const r = await runCli(['workflow', 'run', '-f', 'web.sloth', '--output', 'json'], {
      cwd: dir,
      env: { SLOTH_DOCKER_BIN: '/nonexistent/docker' },
    });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).tasks.web.error).toMatch(
      /^web\.sloth:2: docker\.container: the docker CLI SLOTH_DOCKER_BIN=\/nonexistent\/docker cannot be run/,
    );
  });

  it('modules list says where the docker CLI was found, or how to get one (fake docker CLI)', async () => {
    const fake = fakeDocker();
    const found = await runCli(['modules', 'list', '--module', 'docker'], { env: { SLOTH_DOCKER_BIN: fake.bin } });
    expect(found.stdout).toContain(`CLI docker: ${fake.bin}`);
    const json = JSON.parse(
      (await runCli(['modules', 'list', '--module', 'docker', '--format', 'json'], { env: { SLOTH_DOCKER_BIN: fake.bin } }))
        .stdout,
    );
    expect(json.tools).toEqual([{ command: 'docker', env_var: 'SLOTH_DOCKER_BIN', path: fake.bin }]);
    const missing = await runCli(['modules', 'list'], { env: { SLOTH_DOCKER_BIN: '/nonexistent/docker', PATH: '/nonexistent' } });
    expect(missing.stdout).toMatch(/CLI docker: not found \(install it, or set\s/);
  });

  it('the container and network a workflow manages are recorded in its stack (real Docker engine)', async () => {
    const env = { SLOTH_HOME: freshHome(), DOCKER_HOST: engine.host };
    const dir = writeFiles({
      'web.sloth': `local up = task("up"):command(function()
  docker.network_create({ name = "backend" })
  docker.container({ name = "api", image = "${BUSYBOX}", command = { "sleep", "3600" }, network = "backend" })
end):build()
workflow.define("web"):tasks({ up })
`,
    });
    const run = await runCli(['workflow', 'run', 'web', '-f', 'web.sloth'], { cwd: dir, env });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(engine.docker('inspect', '--format', '{{.State.Status}} {{.HostConfig.NetworkMode}}', 'api').trim()).toBe(
      'running backend',
    );
    const listed = await runCli(['stack', 'resources', 'web', '--output', 'json'], { env });
    const resources = JSON.parse(listed.stdout) as { type: string; name: string; properties: Record<string, unknown> }[];
    expect(resources.map((r) => [r.type, r.name]).sort()).toEqual([
      ['docker_container', 'api'],
      ['docker_network', 'backend'],
    ]);
    expect(resources.find((r) => r.type === 'docker_container')?.properties).toMatchObject({
      image: BUSYBOX,
      state: 'started',
    });
  });
});
