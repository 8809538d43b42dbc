import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModuleCallContext } from '@sloth/core';
import { call, failure, processAlive, testContext, waitFor, waitForPid } from '@sloth/core/testing';
import { describe, expect, it } from 'vitest';
import { dockerModule } from './docker-module.js';
import { changingCalls, fakeDocker } from './fake-docker.test-helper.js';

/** A test context whose docker is `bin`, with more variables when given. */
function withDocker(bin: string, options: { checkMode?: boolean; env?: Record<string, string> } = {}) {
  const t = testContext({ checkMode: options.checkMode ?? false });
  Object.assign(t.ctx, { env: { ...t.ctx.env, SLOTH_DOCKER_BIN: bin, ...options.env } });
  return t;
}
const docker = (ctx: ModuleCallContext, name: string, ...args: unknown[]) => call(dockerModule, name, args, ctx);
const WEB = { name: 'web', image: 'nginx:1.27', ports: ['8080:80'], env: { TZ: 'UTC' }, restart: 'unless-stopped' };

describe('docker.container (fake docker CLI)', () => {
  it('creates, pulls the missing image and starts a container; a rerun changes nothing', async () => {
    const fake = fakeDocker();
    const { ctx, resources } = withDocker(fake.bin);
    const first = (await docker(ctx, 'container', WEB)) as Record<string, unknown>;
    expect(first).toMatchObject({ changed: true, check_mode: false, name: 'web' });
    expect(first.changes).toMatchObject({ image: { old: undefined, new: 'nginx:1.27' }, state: { new: 'started' } });
    const made = changingCalls(fake);
    expect(made.map((a) => a[0])).toEqual(['pull', 'create', 'start']);
    expect(made[1]).toEqual([
      'create',
      '--name',
      'web',
      '--label',
      expect.stringMatching(/^sloth\.spec=sha256:/),
      '-p',
      '8080:80',
      '-e',
      'TZ=UTC',
      '--restart',
      'unless-stopped',
      'nginx:1.27',
    ]);
    expect(resources[0]).toMatchObject({ type: 'docker_container', name: 'web', changed: true, record: { image: 'nginx:1.27' } });

    const again = (await docker(ctx, 'container', WEB)) as Record<string, unknown>;
    expect(again).toMatchObject({ changed: false, changes: {} });
    expect(changingCalls(fake)).toHaveLength(3);
  });

  it("a failing docker create is an error with docker's own last lines (fake docker CLI)", async () => {
    const fake = fakeDocker();
    const { ctx } = withDocker(fake.bin, { env: { FAKE_DOCKER_FAIL: 'create' } });
    const err = await failure(docker(ctx, 'container', WEB));
    expect(err.message).toMatch(/^docker\.container: docker create failed: Error response from daemon: driver failed/);
    expect(err.message).toContain('port is already allocated');
  });

  it('wrong argument types are zod errors naming the argument', async () => {
    const { ctx } = withDocker('/nonexistent');
    const err = await failure(docker(ctx, 'container', { name: 'web', image: 'nginx', ports: 8080 }));
    expect(err.message).toMatch(/ports/);
    expect((await failure(docker(ctx, 'container', { name: 'web', imgae: 'x' }))).message).toMatch(/did you mean 'image'/);
    expect((await failure(docker(ctx, 'container', { name: 'web' }))).message).toMatch(/image is required/);
  });
});

describe('docker commands (fake docker CLI)', () => {
  it('a missing docker is an error that says how to fix it', async () => {
    const { ctx } = withDocker(join(mkdtempSync(join(tmpdir(), 'sloth-nodocker-')), 'docker'));
    const err = await failure(docker(ctx, 'ps', {}));
    expect(err.message).toMatch(/^docker\.ps: the docker CLI SLOTH_DOCKER_BIN=.* cannot be run$/);
    expect(err.hint).toMatch(/set SLOTH_DOCKER_BIN/);
    const onPath = testContext();
    Object.assign(onPath.ctx, { env: { PATH: '/nonexistent' } });
    expect((await failure(docker(onPath.ctx, 'pull', 'x'))).message).toBe('docker.pull: the docker CLI is not on PATH');
  });

  it('output that is not JSON where JSON was expected is an error showing it (fake docker CLI)', async () => {
    const fake = fakeDocker();
    const { ctx } = withDocker(fake.bin, { env: { FAKE_DOCKER_GARBAGE: '1' } });
    const err = await failure(docker(ctx, 'inspect', 'web'));
    expect(err.message).toBe('docker.inspect: docker inspect printed no JSON: <html>502 Bad Gateway</html>');
  });

  it("a timeout kills docker's whole process group (fake docker CLI)", async () => {
    const fake = fakeDocker();
    const pids = join(fake.dir, 'pids');
    const { ctx } = withDocker(fake.bin, { env: { FAKE_HANG: pids } });
    const pending = failure(docker(ctx, 'pull', { image: 'nginx', timeout: '1s' }));
    const tool = await waitForPid(pids, 'the fake docker to start');
    const child = await waitForPid(`${pids}.child`, "the fake docker's child to start");
    const err = await pending;
    expect(err.code).toBe('timeout');
    expect(err.message).toBe('docker.pull: docker pull did not finish in time (it was killed)');
    await waitFor(() => !processAlive(tool) && !processAlive(child), 5000, 'docker and its child to be killed');
  });
});
