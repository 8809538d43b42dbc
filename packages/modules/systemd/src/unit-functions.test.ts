import { existsSync, readFileSync } from 'node:fs';
import { call, failure, testContext } from '@sloth/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanUpFakes, fakeSystemd } from './fake-systemctl.test-helper.js';
import { systemdModule } from './systemd-module.js';

afterEach(cleanUpFakes);

type Result = { changed: boolean; changes: Record<string, { old: unknown; new: unknown }>; check_mode: boolean };
const run = async (ctx: ReturnType<typeof testContext>['ctx'], fn: string, args: unknown[]) =>
  (await call(systemdModule, fn, args, ctx)) as Result;

describe('systemd start, stop, enable, disable, mask, unmask (fake systemctl)', () => {
  it('start acts once: the second call reports changed = false and runs only systemctl show', async () => {
    const fake = fakeSystemd({ nginx: {} });
    const first = fake.context();
    expect(await run(first.ctx, 'start', ['nginx'])).toMatchObject({
      changed: true,
      check_mode: false,
      name: 'nginx',
      changes: { state: { old: 'stopped', new: 'started' } },
    });
    expect(fake.unit('nginx').ActiveState).toBe('active');
    expect(first.resources[0]?.record).toEqual({ name: 'nginx', enabled: false, state: 'started' });

    const before = fake.calls().length;
    expect(await run(fake.context().ctx, 'start', ['nginx'])).toMatchObject({ changed: false, changes: {} });
    expect(fake.calls().slice(before)).toEqual([
      'show nginx -p ActiveState,SubState,UnitFileState,LoadState,MainPID,ActiveEnterTimestamp,NeedDaemonReload',
    ]);
    expect(fake.changing()).toEqual(['start nginx']);
  });

  it("the seed's enable then start: each acts once, the stack record keeps both (fake systemctl)", async () => {
    const fake = fakeSystemd({ nginx: {} });
    const t = fake.context();
    expect((await run(t.ctx, 'enable', ['nginx'])).changes).toEqual({ enabled: { old: false, new: true } });
    expect((await run(t.ctx, 'start', ['nginx'])).changed).toBe(true);
    expect(t.resources.at(-1)?.record).toEqual({ name: 'nginx', enabled: true, state: 'started' });
    expect((await run(t.ctx, 'enable', ['nginx'])).changed).toBe(false);
    expect((await run(t.ctx, 'start', ['nginx'])).changed).toBe(false);
    expect(fake.changing()).toEqual(['enable nginx', 'start nginx']);
  });

  it('enable with now = true also starts; disable with now = true also stops (fake systemctl)', async () => {
    const fake = fakeSystemd({ app: {} });
    const { ctx } = fake.context();
    expect((await run(ctx, 'enable', ['app', { now: true }])).changes).toEqual({
      enabled: { old: false, new: true },
      state: { old: 'stopped', new: 'started' },
    });
    expect((await run(ctx, 'disable', ['app', { now: true }])).changes).toEqual({
      enabled: { old: true, new: false },
      state: { old: 'started', new: 'stopped' },
    });
    expect((await run(ctx, 'disable', ['app'])).changed).toBe(false);
    expect((await run(ctx, 'stop', ['app'])).changed).toBe(false);
    expect(fake.changing()).toEqual(['enable app', 'start app', 'disable app', 'stop app']);
  });

  it('a static unit is left alone by enable and disable (fake systemctl)', async () => {
    const fake = fakeSystemd({ 'systemd-tmpfiles-clean.service': { unitFileState: 'static' } });
    const { ctx } = fake.context();
    expect((await run(ctx, 'enable', ['systemd-tmpfiles-clean.service'])).changed).toBe(false);
    const t = fake.context();
    expect((await run(t.ctx, 'disable', ['systemd-tmpfiles-clean.service'])).changed).toBe(false);
    expect(fake.changing()).toEqual([]);
    // Recorded as it is, so stack drift does not report it forever.
    expect(t.resources[0]?.record).toEqual({ name: 'systemd-tmpfiles-clean.service', enabled: true, state: 'stopped' });
  });

  it('mask and unmask act once, also on a unit systemd does not know (fake systemctl)', async () => {
    const fake = fakeSystemd({ apache2: { unitFileState: 'enabled' } });
    const { ctx } = fake.context();
    expect((await run(ctx, 'mask', ['apache2'])).changes).toEqual({ masked: { old: false, new: true } });
    expect((await run(ctx, 'mask', ['apache2'])).changed).toBe(false);
    expect(await call(systemdModule, 'is_enabled', ['apache2'], ctx)).toBe(false);
    expect((await run(ctx, 'unmask', ['apache2'])).changes).toEqual({ masked: { old: true, new: false } });
    expect((await run(ctx, 'unmask', ['apache2'])).changed).toBe(false);
    expect((await run(ctx, 'unmask', ['nothing-here'])).changed).toBe(false);
    expect(fake.changing()).toEqual(['mask apache2', 'unmask apache2']);
  });

  it('a start that fails after the enable says the unit was enabled before that (fake systemctl)', async () => {
    const fake = fakeSystemd({ app: { failStart: true } });
    const err = await failure(run(fake.context().ctx, 'enable', ['app', { now: true }]));
    expect(err.message).toBe(
      'systemd.enable: systemctl start app failed (exit 1): Job for app failed because the control process exited with error code. (done before that: systemctl enable app)',
    );
    expect(err.hint).toContain('journalctl -u app');
    expect(fake.unit('app').UnitFileState).toBe('enabled');
  });

  it('starting a masked unit fails with what systemctl said (fake systemctl)', async () => {
    const fake = fakeSystemd({ apache2: { loadState: 'masked', unitFileState: 'masked' } });
    const err = await failure(run(fake.context().ctx, 'start', ['apache2']));
    expect(err.message).toContain(
      'systemd.start: systemctl start apache2 failed (exit 1): Failed to start apache2: Unit apache2 is masked.',
    );
    expect(err.hint).toContain('journalctl -u apache2');
  });
});

describe('systemd restart, reload, daemon_reload (fake systemctl)', () => {
  it('restart always acts and reports changed = true, running or not', async () => {
    const fake = fakeSystemd({ nginx: { active: true } });
    const t = fake.context();
    expect((await run(t.ctx, 'restart', ['nginx'])).changes).toEqual({ state: { old: 'started', new: 'restarted' } });
    expect((await run(t.ctx, 'restart', ['nginx'])).changed).toBe(true);
    expect((await run(t.ctx, 'reload', ['nginx'])).changes).toEqual({ state: { old: 'started', new: 'reloaded' } });
    expect((await run(t.ctx, 'daemon_reload', [])).changes).toEqual({ reloaded: { old: false, new: true } });
    expect(fake.changing()).toEqual(['restart nginx', 'restart nginx', 'reload nginx', 'daemon-reload']);
    // A restart records nothing: it would replace the unit's enabled and state in the stack.
    expect(t.resources.map((o) => o.record)).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('in check mode nothing changes: restart says it would act, start and enable read facts only', async () => {
    const fake = fakeSystemd({ nginx: {} });
    const { ctx, resources } = fake.context(true);
    expect(await run(ctx, 'restart', ['nginx'])).toMatchObject({ changed: true, check_mode: true });
    expect((await run(ctx, 'start', ['nginx'])).changed).toBe(true);
    expect((await run(ctx, 'enable', ['nginx', { now: true }])).changed).toBe(true);
    expect((await run(ctx, 'daemon_reload', [])).changed).toBe(true);
    expect(fake.changing()).toEqual([]);
    expect(fake.unit('nginx')).toMatchObject({ ActiveState: 'inactive', UnitFileState: 'disabled' });
    expect(resources.every((o) => o.record === undefined)).toBe(true);
  });
});

describe('systemd errors', () => {
  it('an unknown unit is an error naming it (fake systemctl); in check mode a warning', async () => {
    const fake = fakeSystemd();
    for (const fn of ['start', 'stop', 'enable', 'restart', 'status']) {
      const err = await failure(call(systemdModule, fn, ['nginx'], fake.context().ctx));
      expect(err.code).toBe('not_found');
      expect(err.message).toBe(`systemd.${fn}: unit 'nginx' is not known to systemd on local`);
      expect(err.hint).toContain('systemd.service');
    }
    expect(await call(systemdModule, 'is_active', ['nginx'], fake.context().ctx)).toBe(false);
    const check = fake.context(true);
    expect((await run(check.ctx, 'start', ['nginx'])).changed).toBe(true);
    expect(check.lines.map((l) => l.message)).toContain(
      "systemd.start: unit 'nginx' is not known to systemd on local (check mode: a real run fails unless an earlier step installs it)",
    );
    expect(fake.changing()).toEqual([]);
  });

  it('a unit name with / (or an option, or spaces) is refused before systemctl runs', async () => {
    const fake = fakeSystemd();
    for (const [name, says] of [
      ['/etc/systemd/system/nginx.service', "contains '/'"],
      ['--now', "starts with '-'"],
      ['my app', 'is not a valid unit name'],
      ['', 'expected a unit name'],
    ] as const) {
      const err = await failure(call(systemdModule, 'start', [name], fake.context().ctx));
      expect(err.code).toBe('invalid_argument');
      expect(err.message).toContain('systemd.start: argument #1 (name)');
      expect(err.message).toContain(says);
    }
    expect(fake.calls()).toEqual([]);
  });

  it('an unknown option of enable gets a did-you-mean', async () => {
    const fake = fakeSystemd({ nginx: {} });
    const err = await failure(call(systemdModule, 'enable', ['nginx', { nwo: true }], fake.context().ctx));
    expect(err.message).toContain("unknown option 'nwo'");
    expect(err.message).toContain("did you mean 'now'");
  });

  // Real, not faked: the test machines (containers, CI's included) are not booted with systemd.
  it('on this machine (not booted with systemd) every function says so, naming PID 1', async () => {
    expect(existsSync('/run/systemd/system')).toBe(false);
    const { ctx } = testContext();
    const comm = readFileSync('/proc/1/comm', 'utf8').trim();
    for (const [fn, args] of [
      ['start', ['nginx']],
      ['status', ['nginx']],
      ['daemon_reload', []],
      ['service', [{ name: 'app', exec_start: '/bin/true' }]],
    ] as const) {
      const err = await failure(call(systemdModule, fn, [...args], ctx));
      expect(err.message).toBe(`systemd.${fn}: systemd is not running here (PID 1 is ${comm})`);
      expect(err.hint).toContain('booted with systemd');
    }
  });
});

describe('systemd.status (fake systemctl)', () => {
  it('reads the unit from systemctl show', async () => {
    const fake = fakeSystemd({ nginx: { active: true, unitFileState: 'enabled' } });
    const { ctx } = fake.context();
    expect(await call(systemdModule, 'status', ['nginx'], ctx)).toEqual({
      is_active: true,
      is_enabled: true,
      active_state: 'active',
      sub_state: 'running',
      main_pid: 4242,
      since: 'Sat 2026-12-05 10:00:00 UTC',
      load_state: 'loaded',
      unit_file_state: 'enabled',
    });
    expect(await call(systemdModule, 'is_active', ['nginx'], ctx)).toBe(true);
    expect(await call(systemdModule, 'is_enabled', ['nginx'], ctx)).toBe(true);
  });
});
