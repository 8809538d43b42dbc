import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModuleCallContext } from '@sloth/core';
import { call, failure, processAlive, testContext, waitFor, waitForPid } from '@sloth/core/testing';
import { describe, expect, it } from 'vitest';
import { appliedObjects } from './apply.js';
import { fakeKubectl } from './fake-kubectl.test-helper.js';
import { kubernetesModule } from './kubernetes-module.js';

function withKubectl(bin: string, options: { checkMode?: boolean; env?: Record<string, string> } = {}) {
  const t = testContext({ checkMode: options.checkMode ?? false });
  Object.assign(t.ctx, { env: { ...t.ctx.env, SLOTH_KUBECTL_BIN: bin, ...options.env } });
  return t;
}
const k8s = (ctx: ModuleCallContext, name: string, ...args: unknown[]) => call(kubernetesModule, name, args, ctx);
const SETTINGS = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { mode: 'prod' } };
const WEB = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { app: 'web' } },
  spec: { replicas: 2 },
};

describe('kubernetes.apply (fake kubectl CLI)', () => {
  it('sends a Lua manifest as YAML on stdin; changed from created/configured/unchanged; objects recorded', async () => {
    const fake = fakeKubectl();
    const { ctx, resources } = withKubectl(fake.bin);
    const first = (await k8s(ctx, 'apply', { manifest: [SETTINGS, WEB], namespace: 'prod', context: 'kind-dev' })) as Record<
      string,
      unknown
    >;
    expect(first).toMatchObject({
      success: true,
      changed: true,
      objects: [
        { name: 'configmap/settings', action: 'created' },
        { name: 'deployment.apps/web', action: 'created' },
      ],
    });
    expect(fake.calls()[0]).toEqual(['--context', 'kind-dev', '--namespace', 'prod', 'apply', '-f', '-']);
    expect(resources.map((r) => [r.type, r.name, r.changed])).toEqual([
      ['k8s_object', 'configmap/settings', true],
      ['k8s_object', 'deployment.apps/web', true],
    ]);

    const again = (await k8s(ctx, 'apply', { manifest: [SETTINGS, WEB], namespace: 'prod' })) as Record<string, unknown>;
    expect(again).toMatchObject({ changed: false, objects: [{ action: 'unchanged' }, { action: 'unchanged' }] });
    const edited = { ...SETTINGS, data: { mode: 'staging' } };
    expect(await k8s(ctx, 'apply', { manifest: edited, namespace: 'prod' })).toMatchObject({
      changed: true,
      objects: [{ name: 'configmap/settings', action: 'configured' }],
    });
  });

  it('applies a file; in check mode runs kubectl diff and applies nothing (fake kubectl CLI)', async () => {
    const fake = fakeKubectl();
    const { ctx } = withKubectl(fake.bin);
    const file = join(fake.dir, 'settings.yaml');
    writeFileSync(file, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: prod\n');
    const check = withKubectl(fake.bin, { checkMode: true });
    const would = (await k8s(check.ctx, 'apply', { file })) as Record<string, unknown>;
    expect(would).toMatchObject({ success: true, changed: true, check_mode: true, objects: ['v1.ConfigMap.default.settings'] });
    expect(check.resources[0]).toMatchObject({ name: 'v1.ConfigMap.default.settings', checkMode: true });
    expect(fake.calls().map((a) => a[0])).toEqual(['diff']);
    expect(await k8s(ctx, 'apply', { file })).toMatchObject({ changed: true });
    expect(await k8s(check.ctx, 'apply', { file })).toMatchObject({ success: true, changed: false });
  });

  it('reads apply output lines, server-side ones included', () => {
    expect(appliedObjects('deployment.apps/web configured\nservice/web unchanged\nconfigmap/x serverside-applied\n')).toEqual([
      { name: 'deployment.apps/web', action: 'configured' },
      { name: 'service/web', action: 'unchanged' },
      { name: 'configmap/x', action: 'serverside-applied' },
    ]);
  });

  it('refuses zero or two sources, and wrong types, naming the argument', async () => {
    const { ctx } = withKubectl('/nonexistent');
    expect((await failure(k8s(ctx, 'apply', { namespace: 'x' }))).message).toMatch(/give exactly one of manifest, file or dir/);
    expect((await failure(k8s(ctx, 'apply', { file: 'a.yaml', dir: 'k8s' }))).message).toMatch(/exactly one/);
    expect((await failure(k8s(ctx, 'scale', { resource: 'deployment/web', replicas: 'three' }))).message).toMatch(/replicas/);
    expect((await failure(k8s(ctx, 'get', 42))).message).toMatch(/kind/);
  });
});

describe('kubernetes objects (fake kubectl CLI)', () => {
  it('get decodes -o json and is nil for a missing object; delete, scale and set_image say changed only when they did', async () => {
    const fake = fakeKubectl();
    const { ctx } = withKubectl(fake.bin);
    const check = withKubectl(fake.bin, { checkMode: true }).ctx;
    await k8s(ctx, 'apply', { manifest: [SETTINGS, WEB] });
    const web = (await k8s(ctx, 'get', 'deployment', 'web')) as { metadata: { name: string }; status: { readyReplicas: number } };
    expect(web.metadata.name).toBe('web');
    expect(await k8s(ctx, 'get', 'deployment', 'nothing')).toBeUndefined();
    expect(((await k8s(ctx, 'get', 'configmaps')) as { items: unknown[] }).items).toHaveLength(1);

    expect(await k8s(check, 'scale', { resource: 'deployment/web', replicas: 3 })).toMatchObject({
      changed: true,
      check_mode: true,
    });
    expect(await k8s(ctx, 'scale', { resource: 'deployment/web', replicas: 3 })).toMatchObject({ changed: true, replicas: 3 });
    expect(await k8s(ctx, 'scale', { resource: 'deployment/web', replicas: 3 })).toMatchObject({ changed: false });

    const image = { resource: 'deployment/web', container: 'web', image: 'nginx:1.28' };
    expect(await k8s(check, 'set_image', image)).toMatchObject({ changed: true, check_mode: true });
    expect(fake.calls().at(-1)).toContain('--dry-run=server');
    expect(await k8s(ctx, 'set_image', image)).toMatchObject({ changed: true });
    expect(await k8s(ctx, 'set_image', image)).toMatchObject({ changed: false });

    expect(await k8s(check, 'delete', 'configmap', 'settings')).toMatchObject({ changed: true, check_mode: true });
    expect(await k8s(ctx, 'delete', 'configmap', 'settings')).toMatchObject({ changed: true });
    expect(await k8s(ctx, 'delete', 'configmap', 'settings')).toMatchObject({ changed: false });
  });

  it('rollouts, wait, logs and exec pass their arguments; check mode skips exec and restart (fake kubectl CLI)', async () => {
    const fake = fakeKubectl();
    const { ctx } = withKubectl(fake.bin);
    const check = withKubectl(fake.bin, { checkMode: true }).ctx;
    await k8s(ctx, 'apply', { manifest: WEB });
    expect(await k8s(ctx, 'rollout_status', { resource: 'deployment/web', timeout: '2m' })).toMatchObject({ success: true });
    expect(fake.calls().at(-1)).toEqual(['rollout', 'status', 'deployment/web', '--timeout=120s']);
    expect(await k8s(check, 'rollout_restart', 'deployment/web')).toMatchObject({ changed: true, check_mode: true });
    expect(fake.calls().at(-1)?.[1]).toBe('status');
    expect(await k8s(ctx, 'rollout_restart', 'deployment/web')).toMatchObject({ changed: true });
    expect(await k8s(ctx, 'rollout_undo', { resource: 'deployment/web', to_revision: 2 })).toMatchObject({ changed: true });
    expect(fake.calls().at(-1)).toEqual(['rollout', 'undo', 'deployment/web', '--to-revision=2']);
    expect(await k8s(ctx, 'wait', { resource: 'deployment/web', for: 'condition=Available', timeout: 30 })).toMatchObject({
      success: true,
    });
    const missing = (await k8s(ctx, 'wait', { resource: 'deployment/api', for: 'condition=Available' })) as Record<
      string,
      unknown
    >;
    expect(missing).toMatchObject({
      success: false,
      exit_code: 1,
      error: 'error: timed out waiting for the condition on deployment.apps/api',
    });
    expect(((await k8s(ctx, 'logs', { resource: 'deployment/web', tail: 10 })) as { stdout: string }).stdout).toContain(
      'GET /healthz',
    );
    expect(await k8s(check, 'exec', { resource: 'deployment/web', command: ['rm', '-rf', '/data'] })).toMatchObject({
      skipped: true,
    });
    expect(await k8s(ctx, 'exec', { resource: 'deployment/web', command: ['nginx', '-t'], container: 'web' })).toMatchObject({
      stdout: 'nginx -t\n',
    });
    expect(fake.calls().at(-1)).toEqual(['exec', 'deployment/web', '-c', 'web', '--', 'nginx', '-t']);
  });

  it('a missing kubectl, non-JSON output and a timeout are errors that say so (fake kubectl CLI)', async () => {
    const onPath = testContext();
    Object.assign(onPath.ctx, { env: { PATH: '/nonexistent' } });
    const missing = await failure(k8s(onPath.ctx, 'get', 'pods'));
    expect(missing.message).toBe('kubernetes.get: the kubectl CLI is not on PATH');
    expect(missing.hint).toMatch(/SLOTH_KUBECTL_BIN/);

    const fake = fakeKubectl();
    const garbage = withKubectl(fake.bin, { env: { FAKE_KUBECTL_GARBAGE: '1' } }).ctx;
    expect((await failure(k8s(garbage, 'get', 'pods'))).message).toBe(
      'kubernetes.get: kubectl get printed no JSON: Unable to connect to the server: EOF',
    );

    const pids = join(fake.dir, 'pids');
    const { ctx } = withKubectl(fake.bin, { env: { FAKE_HANG: pids } });
    const pending = failure(k8s(ctx, 'rollout_status', { resource: 'deployment/web', timeout: '1s' }));
    const tool = await waitForPid(pids, 'kubectl to start');
    const child = await waitForPid(`${pids}.child`, "kubectl's child to start");
    expect((await pending).message).toBe('kubernetes.rollout_status: kubectl rollout did not finish in time (it was killed)');
    await waitFor(() => !processAlive(tool) && !processAlive(child), 5000, 'kubectl and its child to be killed');
  });
});
