import { join } from 'node:path';
import type { ModuleCallContext } from '@sloth/core';
import { call, failure, processAlive, testContext, waitFor, waitForPid } from '@sloth/core/testing';
import { describe, expect, it } from 'vitest';
import { fakeHelm } from './fake-helm.test-helper.js';
import { helmModule } from './helm-module.js';

function withHelm(bin: string, options: { checkMode?: boolean; env?: Record<string, string> } = {}) {
  const t = testContext({ checkMode: options.checkMode ?? false });
  Object.assign(t.ctx, { env: { ...t.ctx.env, SLOTH_HELM_BIN: bin, ...options.env } });
  return t;
}
const helm = (ctx: ModuleCallContext, name: string, ...args: unknown[]) => call(helmModule, name, args, ctx);
const WEB = { release: 'web', chart: 'bitnami/nginx', version: '18.2.0', namespace: 'web', values: { replicaCount: 2 } };

describe('helm releases (fake helm CLI)', () => {
  it('installs with values on stdin, leaves a settled release alone, upgrades when values change (fake helm CLI)', async () => {
    const fake = fakeHelm();
    const { ctx, resources } = withHelm(fake.bin);
    expect(await helm(ctx, 'install', { ...WEB, wait: true, timeout: '5m' })).toMatchObject({
      success: true,
      changed: true,
      revision: 1,
      status: 'deployed',
    });
    const upgradeCall = fake.calls().find((a) => a[0] === 'upgrade');
    expect(upgradeCall).toEqual([
      'upgrade',
      '--install',
      'web',
      'bitnami/nginx',
      '--version',
      '18.2.0',
      '--wait',
      '--timeout',
      '300s',
      '--values',
      '-',
      '--namespace',
      'web',
    ]);
    expect(resources[0]).toMatchObject({ type: 'helm_release', name: 'web', changes: { revision: { old: undefined, new: 1 } } });

    expect(await helm(ctx, 'upgrade', WEB)).toMatchObject({ changed: false, revision: 1 });
    expect(fake.calls().filter((a) => a[0] === 'upgrade')).toHaveLength(1);
    expect(await helm(ctx, 'upgrade', { ...WEB, values: { replicaCount: 3 } })).toMatchObject({ changed: true, revision: 2 });
    expect(((await helm(ctx, 'status', { release: 'web', namespace: 'web' })) as { config: unknown }).config).toEqual({
      replicaCount: 3,
    });
    expect(await helm(ctx, 'list', { namespace: 'web' })).toMatchObject([{ name: 'web', revision: '2', chart: 'nginx-18.2.0' }]);
  });

  it('in check mode upgrades with --dry-run and uninstalls nothing (fake helm CLI)', async () => {
    const fake = fakeHelm();
    const check = withHelm(fake.bin, { checkMode: true }).ctx;
    expect(await helm(check, 'upgrade', WEB)).toMatchObject({ success: true, changed: true, check_mode: true });
    expect(fake.calls().find((a) => a[0] === 'upgrade')).toContain('--dry-run');
    expect(await helm(check, 'status', 'web')).toBeUndefined();
    const { ctx } = withHelm(fake.bin);
    await helm(ctx, 'install', WEB);
    expect(await helm(check, 'uninstall', 'web')).toMatchObject({ changed: true, check_mode: true });
    expect(await helm(ctx, 'status', 'web')).toMatchObject({ name: 'web', version: 1 });
    expect(await helm(ctx, 'uninstall', 'web')).toMatchObject({ changed: true, success: true });
    expect(await helm(ctx, 'uninstall', 'web')).toMatchObject({ changed: false });
  });

  it("repo_add is idempotent; a failing install returns helm's own error (fake helm CLI)", async () => {
    const fake = fakeHelm();
    const { ctx } = withHelm(fake.bin);
    const repo = { name: 'bitnami', url: 'https://charts.bitnami.com/bitnami' };
    expect(await helm(withHelm(fake.bin, { checkMode: true }).ctx, 'repo_add', repo)).toMatchObject({ changed: true });
    expect(await helm(ctx, 'repo_add', repo)).toMatchObject({ changed: true, success: true });
    expect(await helm(ctx, 'repo_add', repo)).toMatchObject({ changed: false });
    const bad = (await helm(ctx, 'install', { release: 'x', chart: 'missing/chart' })) as Record<string, unknown>;
    expect(bad).toMatchObject({
      success: false,
      changed: false,
      exit_code: 1,
      error: 'Error: INSTALLATION FAILED: repo missing not found',
    });
  });

  it('a missing helm, non-JSON status, bad arguments and a timeout are errors that say so (fake helm CLI)', async () => {
    const onPath = testContext();
    Object.assign(onPath.ctx, { env: { PATH: '/nonexistent' } });
    expect((await failure(helm(onPath.ctx, 'list'))).message).toBe('helm.list: the helm CLI is not on PATH');
    const fake = fakeHelm();
    const { ctx } = withHelm(fake.bin);
    await helm(ctx, 'install', WEB);
    const garbage = withHelm(fake.bin, { env: { FAKE_HELM_GARBAGE: '1' } }).ctx;
    expect((await failure(helm(garbage, 'status', 'web'))).message).toBe('helm.status: helm status printed no JSON: NAME: web');
    expect((await failure(helm(ctx, 'upgrade', { release: 'web' }))).message).toMatch(/chart/);
    expect((await failure(helm(ctx, 'upgrade', { ...WEB, values: 'replicaCount: 2' }))).message).toMatch(/values/);

    const pids = join(fake.dir, 'pids');
    const hang = withHelm(fake.bin, { env: { FAKE_HANG: pids } }).ctx;
    const pending = failure(helm(hang, 'list', { timeout: '1s' }));
    const tool = await waitForPid(pids, 'helm to start');
    const child = await waitForPid(`${pids}.child`, "helm's child to start");
    expect((await pending).message).toBe('helm.list: helm list did not finish in time (it was killed)');
    await waitFor(() => !processAlive(tool) && !processAlive(child), 5000, 'helm and its child to be killed');
  });
});
