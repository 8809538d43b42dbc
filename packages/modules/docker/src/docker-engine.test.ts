import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModuleCallContext } from '@sloth/core';
import { call, testContext } from '@sloth/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BUSYBOX,
  BUSYBOX_NEXT,
  type DockerEngine,
  startDockerEngine,
  startRegistry,
  type TestRegistry,
} from './docker-engine.test-helper.js';
import { dockerModule } from './docker-module.js';

let engine: DockerEngine;
let registry: TestRegistry;
beforeAll(async () => {
  [engine, registry] = await Promise.all([startDockerEngine(), startRegistry()]);
}, 120_000);
afterAll(async () => {
  await Promise.all([engine?.stop(), registry?.stop()]);
}, 60_000);

/** A test context whose docker CLI talks to the test's engine. */
function onEngine(options: { checkMode?: boolean } = {}) {
  const t = testContext({ checkMode: options.checkMode ?? false });
  Object.assign(t.ctx, { env: { ...t.ctx.env, DOCKER_HOST: engine.host } });
  return t;
}
const docker = (ctx: ModuleCallContext, name: string, ...args: unknown[]) => call(dockerModule, name, args, ctx);
const state = (name: string) => engine.docker('inspect', '--format', '{{.State.Status}} {{.Config.Image}}', name).trim();
const WEB = { name: 'web', image: BUSYBOX, command: ['sleep', '3600'], env: { TZ: 'UTC' }, restart: 'unless-stopped' };

describe('docker on a real Docker engine (dockerd started by the test)', () => {
  it('docker.container creates and starts once, recreates on an image or env change (no env value in the report), starts a stopped one, removes; check mode changes nothing', async () => {
    const { ctx, resources } = onEngine();
    const check = onEngine({ checkMode: true }).ctx;
    expect(await docker(check, 'container', WEB)).toMatchObject({ changed: true, check_mode: true });
    expect(engine.docker('ps', '-aq').trim()).toBe('');

    expect(await docker(ctx, 'container', WEB)).toMatchObject({ changed: true, changes: { state: { new: 'started' } } });
    expect(state('web')).toBe(`running ${BUSYBOX}`);
    expect(resources.at(-1)).toMatchObject({ type: 'docker_container', name: 'web', record: { image: BUSYBOX } });
    const id = engine.docker('inspect', '--format', '{{.Id}}', 'web').trim();
    expect(await docker(ctx, 'container', WEB)).toMatchObject({ changed: false, changes: {} });
    expect(engine.docker('inspect', '--format', '{{.Id}}', 'web').trim()).toBe(id);

    expect(await docker(check, 'container', { ...WEB, image: BUSYBOX_NEXT })).toMatchObject({
      changed: true,
      changes: { image: { old: BUSYBOX, new: BUSYBOX_NEXT } },
    });
    expect(state('web')).toBe(`running ${BUSYBOX}`);
    expect(await docker(ctx, 'container', { ...WEB, image: BUSYBOX_NEXT })).toMatchObject({ changed: true });
    expect(state('web')).toBe(`running ${BUSYBOX_NEXT}`);

    const env = (await docker(ctx, 'container', { ...WEB, image: BUSYBOX_NEXT, env: { TZ: 'Europe/Paris' } })) as {
      changes: Record<string, unknown>;
    };
    expect(Object.keys(env.changes)).toEqual(['spec']);
    expect(JSON.stringify(env.changes)).not.toContain('Paris');
    expect(engine.docker('inspect', '--format', '{{json .Config.Env}}', 'web')).toContain('TZ=Europe/Paris');

    engine.docker('stop', '-t', '0', 'web');
    const started = await docker(ctx, 'container', { ...WEB, image: BUSYBOX_NEXT, env: { TZ: 'Europe/Paris' } });
    expect(started).toMatchObject({ changed: true, changes: { state: { old: 'stopped', new: 'started' } } });
    expect(state('web')).toBe(`running ${BUSYBOX_NEXT}`);

    expect(await docker(check, 'container', { name: 'web', state: 'absent' })).toMatchObject({ changed: true });
    expect(state('web')).toMatch(/^running/);
    expect(await docker(ctx, 'container', { name: 'web', state: 'absent' })).toMatchObject({ changed: true });
    expect(engine.docker('ps', '-aq').trim()).toBe('');
    expect(await docker(ctx, 'container', { name: 'web', state: 'absent' })).toMatchObject({ changed: false });
  });

  it('run, exec, inspect, ps and logs against real containers; inspect of nothing is nil', async () => {
    const { ctx } = onEngine();
    // PID 1 ignores SIGTERM unless it traps it: this one stops at once.
    const command = ['sh', '-c', "echo out; echo err >&2; trap 'exit 0' TERM; sleep 3600 & wait"];
    const ran = (await docker(ctx, 'run', { image: BUSYBOX, name: 'job', command, env: { A: 1 } })) as { id: string };
    expect(ran.id).toMatch(/^[0-9a-f]{64}$/);
    const doc = (await docker(ctx, 'inspect', 'job')) as { Id: string; State: { Running: boolean }; Config: { Image: string } };
    expect(doc).toMatchObject({ Id: ran.id, State: { Running: true }, Config: { Image: BUSYBOX, Env: ['A=1'] } });
    expect(await docker(ctx, 'inspect', 'nothing-here')).toBeUndefined();
    expect(await docker(ctx, 'ps', {})).toEqual([expect.objectContaining({ Names: 'job', State: 'running', Image: BUSYBOX })]);
    expect(await docker(ctx, 'exec', { container: 'job', command: ['cat', '/proc/1/cmdline'] })).toMatchObject({
      success: true,
      stdout: expect.stringContaining('sleep'),
    });
    const check = onEngine({ checkMode: true }).ctx;
    expect(await docker(check, 'exec', { container: 'job', command: ['rm', '-rf', '/bin'] })).toMatchObject({ skipped: true });
    expect(engine.docker('exec', 'job', 'ls', '/bin')).toContain('busybox');
    const failed = (await docker(ctx, 'exec', { container: 'job', command: ['false'] })) as Record<string, unknown>;
    expect(failed).toMatchObject({ success: false, exit_code: 1 });
    const logs = (await docker(ctx, 'logs', { container: 'job', tail: 5 })) as { stdout: string; stderr: string };
    expect([logs.stdout, logs.stderr]).toEqual(['out\n', 'err\n']);
    expect(await docker(ctx, 'stop', 'job')).toMatchObject({ changed: true, success: true });
    expect(state('job')).toMatch(/^exited/);
    expect(await docker(ctx, 'stop', 'job')).toMatchObject({ changed: false });
    expect(await docker(ctx, 'rm', 'job')).toMatchObject({ changed: true });
    expect(await docker(ctx, 'rm', 'job')).toMatchObject({ changed: false });
  });

  it('build makes an image from a Dockerfile; network_create and volume_create are idempotent; check mode creates nothing', async () => {
    const { ctx, resources } = onEngine();
    const check = onEngine({ checkMode: true }).ctx;
    const dir = mkdtempSync(join(tmpdir(), 'sloth-docker-build-'));
    writeFileSync(join(dir, 'Dockerfile'), `FROM ${BUSYBOX}\nRUN echo built > /built.txt\nCMD ["cat", "/built.txt"]\n`);
    const built = await docker(ctx, 'build', { context: dir, tag: 'sloth-test/app:1' });
    expect(built).toMatchObject({ success: true });
    expect(engine.docker('run', '--rm', 'sloth-test/app:1')).toBe('built\n');

    expect(await docker(check, 'network_create', { name: 'backend' })).toMatchObject({ changed: true, check_mode: true });
    expect(await docker(check, 'volume_create', { name: 'pgdata' })).toMatchObject({ changed: true, check_mode: true });
    expect(engine.docker('network', 'ls', '--filter', 'name=backend', '-q').trim()).toBe('');
    expect(engine.docker('volume', 'ls', '--filter', 'name=pgdata', '-q').trim()).toBe('');
    expect(await docker(ctx, 'network_create', { name: 'backend', driver: 'bridge' })).toMatchObject({ changed: true });
    expect(await docker(ctx, 'network_create', { name: 'backend' })).toMatchObject({ changed: false });
    expect(await docker(ctx, 'volume_create', { name: 'pgdata' })).toMatchObject({ changed: true });
    expect(await docker(ctx, 'volume_create', { name: 'pgdata' })).toMatchObject({ changed: false });
    expect(engine.docker('volume', 'ls', '--filter', 'name=pgdata', '-q').trim()).toBe('pgdata');
    expect(resources.filter((r) => r.type === 'docker_network').map((r) => r.changed)).toEqual([true, false]);
  });

  it('push reads the digest and says changed unless the registry had every layer; pull and docker.container pull a missing image, and pull says unchanged when it is up to date (private registry)', async () => {
    const { ctx } = onEngine();
    const check = onEngine({ checkMode: true }).ctx;
    const image = `${registry.address}/app:1`;
    engine.docker('tag', BUSYBOX, image);
    expect(await docker(check, 'push', image)).toMatchObject({ changed: true, check_mode: true });
    const pushed = (await docker(ctx, 'push', image)) as Record<string, unknown>;
    expect(pushed).toMatchObject({ success: true, changed: true, digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) });
    expect(await docker(ctx, 'push', image)).toMatchObject({ success: true, changed: false, digest: pushed.digest });

    engine.docker('rmi', image);
    expect(await docker(check, 'pull', image)).toMatchObject({ changed: true, check_mode: true });
    expect(engine.docker('images', '-q', image).trim()).toBe('');
    expect(await docker(ctx, 'pull', image)).toMatchObject({ success: true, changed: true });
    expect(await docker(ctx, 'pull', { image })).toMatchObject({ success: true, changed: false });
    const missing = await docker(ctx, 'pull', `${registry.address}/nothing:1`);
    expect(missing).toMatchObject({ success: false, error: expect.stringMatching(/not found|unknown/i) });

    engine.docker('rmi', image);
    const app = { name: 'app', image, command: ['sleep', '3600'] };
    expect(await docker(ctx, 'container', app)).toMatchObject({ changed: true });
    expect(state('app')).toBe(`running ${image}`);
    expect(await docker(ctx, 'container', app)).toMatchObject({ changed: false });
    engine.docker('rm', '-f', 'app');
  });
});
