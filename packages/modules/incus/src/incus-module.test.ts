import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModuleCallContext } from '@sloth/core';
import { call, failure, testContext } from '@sloth/core/testing';
import { describe, expect, it } from 'vitest';
import { fakeIncus } from './fake-incus.test-helper.js';
import { incusModule } from './incus-module.js';

function withIncus(bin: string, options: { checkMode?: boolean; env?: Record<string, string> } = {}) {
  const t = testContext({ checkMode: options.checkMode ?? false, workdir: join(bin, '..') });
  Object.assign(t.ctx, { env: { ...t.ctx.env, SLOTH_INCUS_BIN: bin, ...options.env } });
  return t;
}
const incus = (ctx: ModuleCallContext, name: string, ...args: unknown[]) => call(incusModule, name, args, ctx);
const changing = (calls: string[][]) => calls.filter((a) => a[0] !== 'list' && a[1] !== 'list');

describe('incus instances (fake incus CLI)', () => {
  it('create, start, stop and delete are idempotent; check mode changes nothing (fake incus CLI)', async () => {
    const fake = fakeIncus();
    const { ctx, resources } = withIncus(fake.bin);
    const check = withIncus(fake.bin, { checkMode: true }).ctx;
    const spec = { name: 'web-01', image: 'images:debian/12', profiles: ['default', 'web'] };
    await incus(ctx, 'profile_create', { name: 'web' });
    resources.length = 0;
    expect(await incus(check, 'instance_create', spec)).toMatchObject({ changed: true, check_mode: true });
    expect(changing(fake.calls())).toEqual([['profile', 'create', 'web']]);
    expect(await incus(ctx, 'instance_create', spec)).toMatchObject({ changed: true, success: true });
    expect(changing(fake.calls()).slice(1)).toEqual([
      ['init', 'images:debian/12', 'web-01', '--profile', 'default', '--profile', 'web'],
    ]);
    expect(await incus(ctx, 'instance_create', spec)).toMatchObject({ changed: false });
    expect(await incus(ctx, 'instance_start', 'web-01')).toMatchObject({ changed: true });
    expect(await incus(ctx, 'instance_start', 'web-01')).toMatchObject({ changed: false });
    expect(await incus(ctx, 'instance_wait_running', 'web-01')).toMatchObject({ success: true, status: 'Running' });
    expect(resources.map((r) => r.changes.status?.new)).toEqual(['Stopped', 'Running']);
    expect(await incus(check, 'instance_delete', 'web-01')).toMatchObject({ changed: true, check_mode: true });
    expect(await incus(ctx, 'instance_stop', 'web-01', { force: true })).toMatchObject({ changed: true });
    expect(await incus(ctx, 'instance_stop', 'web-01')).toMatchObject({ changed: false });
    expect(await incus(ctx, 'instance_delete', 'web-01')).toMatchObject({ changed: true });
    expect(await incus(ctx, 'instance_delete', 'web-01')).toMatchObject({ changed: false });
    expect(changing(fake.calls()).map((a) => a[0])).toEqual(['profile', 'init', 'start', 'stop', 'delete']);
  });

  it("exec runs a list as it is and a string through sh -c; file_push copies; failures carry incus's message (fake incus CLI)", async () => {
    const fake = fakeIncus();
    const { ctx } = withIncus(fake.bin);
    await incus(ctx, 'instance_create', { name: 'web-01', image: 'images:debian/12' });
    const stopped = (await incus(ctx, 'exec', 'web-01', ['true'])) as Record<string, unknown>;
    expect(stopped).toMatchObject({ success: false, error: 'Error: Instance is not running' });
    await incus(ctx, 'instance_start', 'web-01');
    expect(await incus(ctx, 'exec', 'web-01', 'apt-get update', { env: { DEBIAN_FRONTEND: 'noninteractive' } })).toMatchObject({
      success: true,
      stdout: 'sh -c apt-get update\n',
    });
    expect(fake.calls().at(-1)).toEqual([
      'exec',
      'web-01',
      '--env',
      'DEBIAN_FRONTEND=noninteractive',
      '--',
      'sh',
      '-c',
      'apt-get update',
    ]);
    expect(await incus(withIncus(fake.bin, { checkMode: true }).ctx, 'exec', 'web-01', ['reboot'])).toMatchObject({
      skipped: true,
    });
    writeFileSync(join(fake.dir, 'nginx.conf'), 'events {}\n');
    expect(await incus(ctx, 'file_push', 'web-01', 'nginx.conf', '/etc/nginx/nginx.conf', { mode: '0644' })).toMatchObject({
      success: true,
      changed: true,
    });
    expect(fake.calls().at(-1)).toEqual(['file', 'push', 'nginx.conf', 'web-01/etc/nginx/nginx.conf', '--mode', '0644']);
    const bad = await failure(incus(ctx, 'instance_create', { name: 'x', image: 'images:missing' }));
    expect(bad.message).toBe(
      "incus.instance_create: incus init x failed: Error: Failed instance creation: The requested image couldn't be found",
    );
  });

  it('file_push copies only what differs (content, then mode), changes nothing in check mode, names a missing file or instance (fake incus CLI)', async () => {
    const fake = fakeIncus();
    const { ctx, resources } = withIncus(fake.bin);
    const check = withIncus(fake.bin, { checkMode: true }).ctx;
    const push = (c: ModuleCallContext, opts?: object) =>
      incus(c, 'file_push', 'web-01', 'app.bin', '/etc/app.bin', ...(opts ? [opts] : [])) as Promise<Record<string, unknown>>;
    const pushes = () => fake.calls().filter((a) => a[0] === 'file' && a[1] === 'push').length;
    // Bytes that are not UTF-8 compare as bytes.
    writeFileSync(join(fake.dir, 'app.bin'), Buffer.from([0xff, 0xfe, 0x00, 0x41]));
    expect((await failure(push(ctx))).message).toBe('incus.file_push: instance web-01 does not exist');
    expect(await push(check)).toMatchObject({ changed: true, check_mode: true });
    await incus(ctx, 'instance_create', { name: 'web-01', image: 'images:debian/12' });
    expect(await push(check)).toMatchObject({ changed: true, check_mode: true });
    expect(pushes()).toBe(0);
    expect(await push(ctx, { mode: '0640' })).toMatchObject({ success: true, changed: true });
    expect(resources.at(-1)?.changes.content?.old).toBeUndefined();
    // Without a mode the content decides (the mode of a file in a stopped instance cannot be read).
    expect(await push(ctx)).toMatchObject({ changed: false });
    await incus(ctx, 'instance_start', 'web-01');
    expect(await push(ctx, { mode: '0640' })).toMatchObject({ changed: false });
    expect(await push(ctx, { mode: '0600' })).toMatchObject({ changed: true });
    expect(resources.at(-1)?.changes).toEqual({ mode: { old: '0640', new: '0600' } });
    writeFileSync(join(fake.dir, 'app.bin'), Buffer.from([0xff, 0xfd, 0x00, 0x41]));
    expect(await push(check, { mode: '0600' })).toMatchObject({ changed: true, check_mode: true });
    expect(pushes()).toBe(2);
    expect(await push(ctx, { mode: '0600' })).toMatchObject({ changed: true });
    expect(resources.at(-1)?.changes.content?.old).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await push(ctx, { mode: '0600' })).toMatchObject({ changed: false });
    expect(pushes()).toBe(3);
    const missing = await failure(incus(ctx, 'file_push', 'web-01', 'nope.conf', '/etc/nope.conf'));
    expect(missing).toMatchObject({ code: 'not_found', message: "incus.file_push: the local file 'nope.conf' does not exist" });
  });

  it('wait_running gives up at its timeout naming the status; a missing incus and bad arguments are errors (fake incus CLI)', async () => {
    const fake = fakeIncus();
    const { ctx } = withIncus(fake.bin, { env: { FAKE_INCUS_SLOW_BOOT: '1' } });
    await incus(ctx, 'instance_create', { name: 'vm-01', image: 'images:debian/12', vm: true });
    await incus(ctx, 'instance_start', 'vm-01');
    const err = await failure(incus(ctx, 'instance_wait_running', 'vm-01', { timeout: 1 }));
    expect(err.message).toBe('incus.instance_wait_running: instance vm-01 is not running (status: Starting)');
    const onPath = testContext();
    Object.assign(onPath.ctx, { env: { PATH: '/nonexistent' } });
    expect((await failure(incus(onPath.ctx, 'instance_start', 'x'))).message).toBe(
      'incus.instance_start: the incus CLI is not on PATH',
    );
    expect((await failure(incus(ctx, 'instance_create', { name: 'x' }))).message).toMatch(/image/);
  });

  it('networks, profiles and storage pools: created once, config converged key by key, deleted; check mode changes nothing (fake incus CLI)', async () => {
    const fake = fakeIncus();
    const { ctx, resources } = withIncus(fake.bin);
    const check = withIncus(fake.bin, { checkMode: true }).ctx;
    const net = { name: 'web-dmz', type: 'bridge', config: { 'ipv4.address': '10.10.0.1/24', 'ipv4.nat': true } };
    expect(await incus(check, 'network_create', net)).toMatchObject({ changed: true, check_mode: true });
    expect(changing(fake.calls())).toEqual([]);
    expect(await incus(ctx, 'network_create', net)).toMatchObject({ changed: true, success: true });
    expect(fake.calls().at(-1)).toEqual([
      'network',
      'create',
      'web-dmz',
      '--type=bridge',
      'ipv4.address=10.10.0.1/24',
      'ipv4.nat=true',
    ]);
    expect(await incus(ctx, 'network_create', net)).toMatchObject({ changed: false });
    // One key changed: only that key is set.
    expect(await incus(ctx, 'network_create', { ...net, config: { ...net.config, 'ipv4.nat': 'false' } })).toMatchObject({
      changed: true,
    });
    expect(fake.calls().at(-1)).toEqual(['network', 'set', 'web-dmz', 'ipv4.nat=false']);
    expect(resources.at(-1)?.changes).toEqual({ 'ipv4.nat': { old: 'true', new: 'false' } });

    const profile = { name: 'web-server', description: 'Optimized for web servers', config: { 'limits.cpu': 4 } };
    expect(await incus(ctx, 'profile_create', profile)).toMatchObject({ changed: true });
    expect(changing(fake.calls()).slice(-2)).toEqual([
      ['profile', 'create', 'web-server', 'limits.cpu=4'],
      ['profile', 'set', 'web-server', 'description=Optimized for web servers', '--property'],
    ]);
    expect(await incus(ctx, 'profile_create', profile)).toMatchObject({ changed: false });
    expect(await incus(ctx, 'storage_create', { name: 'fast', driver: 'dir', config: { source: '/srv/pool' } })).toMatchObject({
      changed: true,
    });
    expect(fake.calls().at(-1)).toEqual(['storage', 'create', 'fast', 'dir', 'source=/srv/pool']);
    expect(await incus(ctx, 'storage_create', { name: 'fast', driver: 'dir' })).toMatchObject({ changed: false });

    const before = changing(fake.calls()).length;
    for (const [fn, name] of [
      ['network_delete', 'web-dmz'],
      ['profile_delete', 'web-server'],
      ['storage_delete', 'fast'],
    ]) {
      expect(await incus(check, fn as string, name)).toMatchObject({ changed: true, check_mode: true });
    }
    expect(changing(fake.calls())).toHaveLength(before);
    for (const [fn, name] of [
      ['network_delete', 'web-dmz'],
      ['profile_delete', 'web-server'],
      ['storage_delete', 'fast'],
    ]) {
      expect(await incus(ctx, fn as string, name)).toMatchObject({ changed: true });
      expect(await incus(ctx, fn as string, name)).toMatchObject({ changed: false });
    }
    expect((await failure(incus(ctx, 'storage_create', { name: 'x' }))).message).toMatch(/driver/);
  });

  it('attach, detach, apply and remove_from are idempotent; snapshots are created once, restored, deleted (fake incus CLI)', async () => {
    const fake = fakeIncus();
    const { ctx } = withIncus(fake.bin);
    const check = withIncus(fake.bin, { checkMode: true }).ctx;
    await incus(ctx, 'network_create', { name: 'dmz' });
    await incus(ctx, 'profile_create', { name: 'web' });
    expect((await failure(incus(ctx, 'network_attach', 'dmz', 'web-01'))).message).toBe(
      'incus.network_attach: there is no instance web-01',
    );
    await incus(ctx, 'instance_create', { name: 'web-01', image: 'images:debian/12' });
    expect(await incus(check, 'network_attach', 'dmz', 'web-01')).toMatchObject({ changed: true, check_mode: true });
    expect(await incus(ctx, 'network_attach', 'dmz', 'web-01')).toMatchObject({ changed: true });
    expect(await incus(ctx, 'network_attach', 'dmz', 'web-01')).toMatchObject({ changed: false });
    expect(await incus(ctx, 'profile_apply', 'web', 'web-01')).toMatchObject({ changed: true });
    expect(await incus(ctx, 'profile_apply', 'web', 'web-01')).toMatchObject({ changed: false });
    expect(await incus(ctx, 'profile_remove_from', 'web', 'web-01')).toMatchObject({ changed: true });
    expect(await incus(ctx, 'profile_remove_from', 'web', 'web-01')).toMatchObject({ changed: false });
    expect(await incus(ctx, 'network_detach', 'dmz', 'web-01')).toMatchObject({ changed: true });
    expect(await incus(ctx, 'network_detach', 'dmz', 'web-01')).toMatchObject({ changed: false });
    expect(changing(fake.calls()).slice(3)).toEqual([
      ['network', 'attach', 'dmz', 'web-01'],
      ['profile', 'add', 'web-01', 'web'],
      ['profile', 'remove', 'web-01', 'web'],
      ['network', 'detach', 'dmz', 'web-01'],
    ]);

    const snap = { instance: 'web-01', name: 'before-upgrade' };
    expect(await incus(check, 'snapshot_create', snap)).toMatchObject({ changed: true, check_mode: true });
    expect(await incus(ctx, 'snapshot_create', snap)).toMatchObject({ changed: true });
    expect(await incus(ctx, 'snapshot_create', snap)).toMatchObject({ changed: false });
    expect(await incus(ctx, 'snapshot_restore', snap)).toMatchObject({ changed: true });
    const missing = await failure(incus(ctx, 'snapshot_restore', { instance: 'web-01', name: 'nope' }));
    expect(missing.message).toBe('incus.snapshot_restore: instance web-01 has no snapshot nope');
    // A stateful snapshot of a stopped instance: incus says why.
    const stateful = await failure(incus(ctx, 'snapshot_create', { ...snap, name: 'hot', stateful: true }));
    expect(stateful.message).toMatch(/incus snapshot create web-01\/hot failed: Error: Unable to create a stateful snapshot/);
    expect(await incus(ctx, 'snapshot_delete', snap)).toMatchObject({ changed: true });
    expect(await incus(ctx, 'snapshot_delete', snap)).toMatchObject({ changed: false });
  });
});
