import { join } from 'node:path';
import type { ModuleCallContext } from '@sloth/core';
import { call, failure, processAlive, testContext, waitFor, waitForPid } from '@sloth/core/testing';
import { describe, expect, it } from 'vitest';
import { fakePulumi } from './fake-pulumi.test-helper.js';
import { pulumiModule } from './pulumi-module.js';

function withPulumi(bin: string, options: { checkMode?: boolean; env?: Record<string, string> } = {}) {
  const t = testContext({ checkMode: options.checkMode ?? false, workdir: join(bin, '..') });
  Object.assign(t.ctx, { env: { ...t.ctx.env, SLOTH_PULUMI_BIN: bin, ...options.env } });
  return t;
}
const pulumi = (ctx: ModuleCallContext, name: string, ...args: unknown[]) => call(pulumiModule, name, args, ctx);

describe('pulumi (fake pulumi CLI)', () => {
  it('up previews, updates only when there are changes, and returns the outputs; check mode only previews (fake pulumi CLI)', async () => {
    const fake = fakePulumi();
    const check = withPulumi(fake.bin, { checkMode: true });
    expect(await pulumi(check.ctx, 'up', { stack: 'dev', config: { 'website:domain': 'example.test' } })).toMatchObject({
      changed: true,
      check_mode: true,
      summary: { create: 2 },
    });
    expect(fake.calls().map((a) => a[0])).toEqual(['preview']);

    const { ctx, resources } = withPulumi(fake.bin);
    const first = (await pulumi(ctx, 'up', { stack: 'dev', config: { 'website:domain': 'example.test' } })) as Record<
      string,
      unknown
    >;
    expect(first).toMatchObject({
      success: true,
      changed: true,
      outputs: { url: 'http://website-dev.example.test', dbPassword: '[secret]' },
    });
    expect(fake.calls().find((a) => a[0] === 'up')).toEqual([
      'up',
      '--yes',
      '--skip-preview',
      '--non-interactive',
      '--stack',
      'dev',
      '--config',
      'website:domain=example.test',
    ]);
    expect(resources.at(-1)).toMatchObject({ type: 'pulumi_stack', changed: true, changes: { create: { old: 0, new: 2 } } });
    expect(await pulumi(ctx, 'up', { stack: 'dev', config: { 'website:domain': 'example.test' } })).toMatchObject({
      changed: false,
    });
    expect(fake.calls().filter((a) => a[0] === 'up')).toHaveLength(1);
    expect(await pulumi(ctx, 'preview', { stack: 'dev', config: { 'website:domain': 'other.test' } })).toMatchObject({
      changed: true,
      summary: { update: 1 },
    });
    expect(await pulumi(ctx, 'stack_output', { stack: 'dev', name: 'url' })).toBe('http://website-dev.example.test');
  });

  it('destroy and refresh read the text summary; stack_select changes only another stack (fake pulumi CLI)', async () => {
    const fake = fakePulumi();
    const { ctx } = withPulumi(fake.bin);
    const check = withPulumi(fake.bin, { checkMode: true }).ctx;
    await pulumi(ctx, 'up', { stack: 'dev' });
    expect(await pulumi(check, 'destroy', { stack: 'dev' })).toMatchObject({ changed: true, deleted: 2, check_mode: true });
    expect(fake.calls().at(-1)).toContain('--preview-only');
    expect(await pulumi(ctx, 'destroy', { stack: 'dev' })).toMatchObject({ changed: true, deleted: 2 });
    expect(await pulumi(ctx, 'destroy', { stack: 'dev' })).toMatchObject({ changed: false, deleted: 0 });
    expect(await pulumi(ctx, 'refresh', { stack: 'dev' })).toMatchObject({ success: true, changed: false });
    expect(await pulumi(ctx, 'stack_select', { stack: 'dev' })).toMatchObject({ changed: false });
    expect(await pulumi(check, 'stack_select', { stack: 'prod', create: true })).toMatchObject({
      changed: true,
      check_mode: true,
    });
    const missing = (await pulumi(ctx, 'stack_select', { stack: 'prod' })) as Record<string, unknown>;
    expect(missing).toMatchObject({ success: false, error: "error: no stack named 'prod' found" });
    expect(await pulumi(ctx, 'stack_select', { stack: 'prod', create: true })).toMatchObject({ changed: true, success: true });
  });

  it("failures: pulumi's own error from the preview's JSON, non-JSON outputs, a missing pulumi, a timeout (fake pulumi CLI)", async () => {
    const fake = fakePulumi();
    const { ctx } = withPulumi(fake.bin);
    const broken = (await pulumi(ctx, 'up', { config: { mode: 'broken' } })) as Record<string, unknown>;
    expect(broken).toMatchObject({
      success: false,
      changed: false,
      error: "error: Missing required configuration variable 'website:domain'",
    });
    const garbage = withPulumi(fake.bin, { env: { FAKE_PULUMI_GARBAGE: '1' } }).ctx;
    expect((await failure(pulumi(garbage, 'stack_output', {}))).message).toBe(
      'pulumi.stack_output: pulumi stack output printed no JSON: Current stack outputs (1):',
    );
    expect((await failure(pulumi(ctx, 'up', { cwd: 'nowhere' }))).message).toMatch(
      /^pulumi\.up: the directory .*nowhere does not exist$/,
    );
    expect((await failure(pulumi(ctx, 'up', { stack: 3 }))).message).toMatch(/stack/);
    const onPath = testContext();
    Object.assign(onPath.ctx, { env: { PATH: '/nonexistent' } });
    expect((await failure(pulumi(onPath.ctx, 'preview'))).message).toBe('pulumi.preview: the pulumi CLI is not on PATH');

    const pids = join(fake.dir, 'pids');
    const hang = withPulumi(fake.bin, { env: { FAKE_HANG: pids } }).ctx;
    const pending = failure(pulumi(hang, 'refresh', { timeout: 1 }));
    const tool = await waitForPid(pids, 'pulumi to start');
    const child = await waitForPid(`${pids}.child`, "pulumi's child to start");
    expect((await pending).message).toBe('pulumi.refresh: pulumi refresh did not finish in time (it was killed)');
    await waitFor(() => !processAlive(tool) && !processAlive(child), 5000, 'pulumi and its child to be killed');
  });
});
