import { join } from 'node:path';
import type { ModuleCallContext } from '@sloth/core';
import { call, failure, processAlive, testContext, waitFor, waitForPid } from '@sloth/core/testing';
import { describe, expect, it } from 'vitest';
import { fakeSalt, fakeSaltCall } from './fake-salt.test-helper.js';
import { saltModule } from './salt-module.js';

function withSalt(env: Record<string, string>, checkMode = false) {
  const t = testContext({ checkMode });
  Object.assign(t.ctx, { env: { ...t.ctx.env, ...env } });
  return t;
}
const salt = (ctx: ModuleCallContext, name: string, ...args: unknown[]) => call(saltModule, name, args, ctx);

describe('salt (fake salt-call and salt CLIs)', () => {
  it('state_apply parses each state; a rerun has no changes; check mode runs test=True (fake salt-call CLI)', async () => {
    const fake = fakeSaltCall();
    const env = { SLOTH_SALT_CALL_BIN: fake.bin };
    const check = withSalt(env, true);
    const would = (await salt(check.ctx, 'state_apply', { state: 'motd' })) as Record<string, unknown>;
    expect(would).toMatchObject({
      success: true,
      changed: true,
      test: true,
      states: [{ id: 'nginx' }, { id: 'motd', result: null }],
    });
    expect(fake.calls()[0]).toEqual(['--local', '--retcode-passthrough', '--out', 'json', 'state.apply', 'motd', 'test=True']);

    const { ctx, resources } = withSalt(env);
    const first = (await salt(ctx, 'state_apply', { state: 'motd', pillar: { port: 8080 } })) as Record<string, unknown>;
    expect(first).toMatchObject({ success: true, changed: true, test: false });
    expect(first.states).toEqual([
      {
        id: 'nginx',
        function: 'pkg.installed',
        name: 'nginx',
        result: true,
        comment: 'All specified packages are already installed',
        changes: {},
      },
      {
        id: 'motd',
        function: 'file.managed',
        name: '/etc/motd',
        result: true,
        comment: 'File /etc/motd updated',
        changes: { diff: 'New file' },
      },
    ]);
    expect(fake.calls().at(-1)?.at(-1)).toBe('pillar={"port":8080}');
    expect(resources.filter((r) => r.changed).map((r) => r.name)).toEqual(['file.managed motd']);
    expect(resources.at(-1)).toMatchObject({ type: 'salt_state', record: { function: 'file.managed', result: true } });
    expect(await salt(ctx, 'state_apply', { state: 'motd' })).toMatchObject({ success: true, changed: false });
  });

  it("a failing state gives success = false with salt's comment; a missing sls its error (fake salt-call CLI)", async () => {
    const { ctx } = withSalt({ SLOTH_SALT_CALL_BIN: fakeSaltCall().bin });
    const broken = (await salt(ctx, 'state_apply', { state: 'broken' })) as Record<string, unknown>;
    expect(broken).toMatchObject({ success: false, exit_code: 2 });
    expect(broken.error).toBe(
      'nginx: Package nonexistent-pkg-xyz failed to install: E: Unable to locate package nonexistent-pkg-xyz',
    );
    const missing = (await salt(ctx, 'state_apply', { state: 'missing' })) as Record<string, unknown>;
    expect(missing).toMatchObject({ success: false, error: "local: No matching sls found for 'missing' in env 'base'" });
  });

  it('call decodes the return, locally or per minion through a master; check mode skips it (fake salt CLIs)', async () => {
    const local = fakeSaltCall();
    const master = fakeSalt();
    const { ctx } = withSalt({ SLOTH_SALT_CALL_BIN: local.bin, SLOTH_SALT_BIN: master.bin });
    expect(await salt(ctx, 'call', { fun: 'pkg.version', args: ['nginx'] })).toMatchObject({ success: true, return: '1.22.1-9' });
    expect(await salt(ctx, 'call', { fun: 'test.ping', target: 'web*' })).toMatchObject({ return: { web1: true, web2: true } });
    expect(master.calls()[0]).toEqual(['--static', '--out', 'json', 'web*', 'test.ping']);
    const perMinion = (await salt(ctx, 'state_apply', { state: 'motd', target: 'web*' })) as {
      minions: Record<string, unknown[]>;
    };
    expect(Object.keys(perMinion.minions)).toEqual(['web1', 'web2']);
    expect(await salt(ctx, 'call', { fun: 'no.such' })).toMatchObject({ success: false, error: "'no.such' is not available." });
    const check = withSalt({ SLOTH_SALT_CALL_BIN: local.bin }, true).ctx;
    expect(await salt(check, 'call', { fun: 'cmd.run', args: ['reboot'] })).toMatchObject({ skipped: true });
  });

  it('non-JSON output, a missing salt-call, bad arguments and a timeout are errors that say so (fake salt-call CLI)', async () => {
    const fake = fakeSaltCall();
    const garbage = withSalt({ SLOTH_SALT_CALL_BIN: fake.bin, FAKE_SALT_GARBAGE: '1' }).ctx;
    expect((await failure(salt(garbage, 'call', { fun: 'test.ping' }))).message).toBe(
      'salt.call: salt-call output printed no JSON: local:\n    True',
    );
    const onPath = testContext();
    Object.assign(onPath.ctx, { env: { PATH: '/nonexistent' } });
    const missing = await failure(salt(onPath.ctx, 'state_apply', {}));
    expect(missing.message).toBe('salt.state_apply: the salt-call CLI is not on PATH');
    expect(missing.hint).toMatch(/SLOTH_SALT_CALL_BIN/);
    expect((await failure(salt(onPath.ctx, 'call', { fun: 'x', args: 'y' }))).message).toMatch(/args/);

    const pids = join(fake.dir, 'pids');
    const hang = withSalt({ SLOTH_SALT_CALL_BIN: fake.bin, FAKE_HANG: pids }).ctx;
    const pending = failure(salt(hang, 'state_apply', { timeout: '1s' }));
    const tool = await waitForPid(pids, 'salt-call to start');
    const child = await waitForPid(`${pids}.child`, "salt-call's child to start");
    expect((await pending).message).toBe('salt.state_apply: salt-call state.apply did not finish in time (it was killed)');
    await waitFor(() => !processAlive(tool) && !processAlive(child), 5000, 'salt-call and its child to be killed');
  });
});
