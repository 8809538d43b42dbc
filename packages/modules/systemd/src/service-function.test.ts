import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { call, failure, testContext } from '@sloth/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanUpFakes, fakeSystemd } from './fake-systemctl.test-helper.js';
import { readSystemdResource } from './read-resource.js';
import { systemdModule } from './systemd-module.js';

afterEach(cleanUpFakes);

type Result = {
  changed: boolean;
  changes: Record<string, { old: unknown; new: unknown }>;
  diff?: string;
  unit_path: string;
  name: string;
};
const hash = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

const UNIT = `# Written by Sloth Runner (systemd.service): edits here are replaced on its next run.
[Unit]
Description=Web application

[Service]
ExecStart=/usr/local/bin/webapp --port 8080
User=webuser
WorkingDirectory=/srv/webapp
Environment="GREETING=say \\"hi\\" 100%%"
Environment="NODE_ENV=production"
Restart=on-failure

[Install]
WantedBy=multi-user.target
`;

// The unit file side is real (files in a temp directory standing for /etc/systemd/system); systemctl is the fake.
describe('systemd.service (real unit files, fake systemctl)', () => {
  const opts = (unitDir: string, more: Record<string, unknown> = {}) => ({
    name: 'webapp',
    description: 'Web application',
    exec_start: '/usr/local/bin/webapp --port 8080',
    user: 'webuser',
    working_directory: '/srv/webapp',
    environment: { NODE_ENV: 'production', GREETING: 'say "hi" 100%' },
    enabled: true,
    unit_dir: unitDir,
    ...more,
  });

  it('writes the unit file, reloads systemd, enables and starts; a second call changes nothing and runs no systemctl change', async () => {
    const fake = fakeSystemd();
    const first = fake.context();
    const r = (await call(systemdModule, 'service', [opts(fake.unitDir)], first.ctx)) as Result;
    const path = join(fake.unitDir, 'webapp.service');
    expect(r).toMatchObject({
      changed: true,
      name: 'webapp.service',
      unit_path: path,
      changes: {
        unit_file: { old: undefined, new: hash(UNIT) },
        enabled: { old: false, new: true },
        state: { old: 'stopped', new: 'started' },
      },
    });
    expect(readFileSync(path, 'utf8')).toBe(UNIT);
    expect(statSync(path).mode & 0o777).toBe(0o644);
    expect(r.diff).toContain(`+++ after: webapp.service`);
    expect(r.diff).toContain('+ExecStart=/usr/local/bin/webapp --port 8080');
    expect(fake.changing()).toEqual(['daemon-reload', 'enable webapp.service', 'start webapp.service']);
    expect(first.resources[0]?.record).toEqual({
      name: 'webapp.service',
      enabled: true,
      state: 'started',
      unit_path: path,
      unit_file: hash(UNIT),
    });

    const mtime = statSync(path).mtimeMs;
    const again = (await call(systemdModule, 'service', [opts(fake.unitDir)], fake.context().ctx)) as Result;
    expect(again).toMatchObject({ changed: false, changes: {} });
    expect(again.diff).toBeUndefined();
    expect(statSync(path).mtimeMs).toBe(mtime);
    expect(fake.changing()).toEqual(['daemon-reload', 'enable webapp.service', 'start webapp.service']);
  });

  it('a changed option rewrites the file and reloads systemd, and nothing else (fake systemctl)', async () => {
    const fake = fakeSystemd();
    await call(systemdModule, 'service', [opts(fake.unitDir)], fake.context().ctx);
    const r = (await call(
      systemdModule,
      'service',
      [opts(fake.unitDir, { exec_start: '/usr/local/bin/webapp --port 9090' })],
      fake.context().ctx,
    )) as Result;
    expect(Object.keys(r.changes)).toEqual(['unit_file']);
    expect(r.changes.unit_file?.old).toBe(hash(UNIT));
    expect(r.diff).toContain('-ExecStart=/usr/local/bin/webapp --port 8080\n+ExecStart=/usr/local/bin/webapp --port 9090');
    expect(fake.changing()).toEqual(['daemon-reload', 'enable webapp.service', 'start webapp.service', 'daemon-reload']);
  });

  it('an edit by hand is put back; state = "stopped" and enabled = false are honoured (fake systemctl)', async () => {
    const fake = fakeSystemd();
    const path = join(fake.unitDir, 'webapp.service');
    await call(systemdModule, 'service', [opts(fake.unitDir)], fake.context().ctx);
    writeFileSync(path, 'edited by hand\n');
    const r = (await call(
      systemdModule,
      'service',
      [opts(fake.unitDir, { enabled: false, state: 'stopped' })],
      fake.context().ctx,
    )) as Result;
    expect(r.changes).toEqual({
      unit_file: { old: hash('edited by hand\n'), new: hash(UNIT) },
      enabled: { old: true, new: false },
      state: { old: 'started', new: 'stopped' },
    });
    expect(readFileSync(path, 'utf8')).toBe(UNIT);
  });

  it('a unit file already right but not loaded by systemd (a run stopped before daemon-reload) is loaded (fake systemctl)', async () => {
    const fake = fakeSystemd();
    writeFileSync(join(fake.unitDir, 'webapp.service'), UNIT);
    const r = (await call(systemdModule, 'service', [opts(fake.unitDir)], fake.context().ctx)) as Result;
    expect(r.changes).toEqual({
      unit_loaded: { old: false, new: true },
      enabled: { old: false, new: true },
      state: { old: 'stopped', new: 'started' },
    });
    expect(r.diff).toBeUndefined();
    expect(fake.changing()).toEqual(['daemon-reload', 'enable webapp.service', 'start webapp.service']);
  });

  it('in check mode it reports the whole change with its diff and writes nothing (fake systemctl)', async () => {
    const fake = fakeSystemd();
    const { ctx, resources } = fake.context(true);
    const r = (await call(systemdModule, 'service', [opts(fake.unitDir)], ctx)) as Result;
    expect(r).toMatchObject({ changed: true, check_mode: true });
    expect(Object.keys(r.changes)).toEqual(['unit_file', 'enabled', 'state']);
    expect(r.diff).toContain('+[Service]');
    expect(existsSync(join(fake.unitDir, 'webapp.service'))).toBe(false);
    expect(fake.changing()).toEqual([]);
    expect(resources[0]?.record).toBeUndefined();
  });

  it('defaults: restart on-failure, wanted by multi-user.target, started, enabled left alone', async () => {
    const fake = fakeSystemd();
    const r = (await call(
      systemdModule,
      'service',
      [{ name: 'worker.v2', exec_start: '/bin/worker', unit_dir: fake.unitDir }],
      fake.context().ctx,
    )) as Result;
    expect(Object.keys(r.changes)).toEqual(['unit_file', 'state']);
    const text = readFileSync(join(fake.unitDir, 'worker.v2.service'), 'utf8');
    expect(text).toContain('Restart=on-failure\n');
    expect(text).toContain('WantedBy=multi-user.target\n');
    expect(fake.changing()).toEqual(['daemon-reload', 'start worker.v2.service']);
    // "worker.v2" and "worker.v2.service" name the same unit ("v2" is no unit type).
    const same = { name: 'worker.v2.service', exec_start: '/bin/worker', unit_dir: fake.unitDir };
    expect(((await call(systemdModule, 'service', [same], fake.context().ctx)) as Result).changed).toBe(false);
  });

  it('bad options are errors at the call, before anything is read or written', async () => {
    const fake = fakeSystemd();
    const cases: [Record<string, unknown>, string][] = [
      [{ name: 'app', exec_start: '/bin/app', enabeld: true }, "unknown option 'enabeld' (did you mean 'enabled'?)"],
      [{ name: 'app', exec_start: '/bin/app\nExecStartPre=/bin/evil' }, 'exec_start must be one line'],
      [{ name: 'apps/app', exec_start: '/bin/app' }, "contains '/'"],
      [{ name: 'app', exec_start: '/bin/app', environment: { 'BAD-NAME': 'x' } }, 'letters, digits and _'],
      [{ name: 'app', exec_start: '/bin/app', restart: 'sometimes' }, 'restart'],
      [{ name: 'app', exec_start: '/bin/app', unit_dir: 'relative' }, 'expected an absolute path'],
    ];
    for (const [o, says] of cases) {
      const err = await failure(call(systemdModule, 'service', [o], fake.context().ctx));
      expect(err.code, says).toBe('invalid_argument');
      expect(err.message, says).toContain(says);
    }
    const timer = await failure(
      call(systemdModule, 'service', [{ name: 'app.timer', exec_start: '/bin/app' }], fake.context().ctx),
    );
    expect(timer.message).toBe("systemd.service: 'app.timer' is not a service unit");
    expect(fake.calls()).toEqual([]);
  });
});

describe('the systemd drift hook (real unit files, fake systemctl)', () => {
  it('reads back what service() recorded, then sees a unit stopped, disabled and its file edited by hand', async () => {
    const fake = fakeSystemd();
    const t = fake.context();
    await call(systemdModule, 'service', [{ name: 'app', exec_start: '/bin/app', enabled: true, unit_dir: fake.unitDir }], t.ctx);
    const outcome = t.resources[0];
    const record = outcome?.record as Record<string, unknown>;
    const readBack = () => readSystemdResource('service', 'app.service', record, fake.context(true).ctx);
    expect(await readBack()).toEqual({ exists: true, properties: record });

    await call(systemdModule, 'stop', ['app.service'], fake.context().ctx);
    await call(systemdModule, 'disable', ['app.service'], fake.context().ctx);
    writeFileSync(record.unit_path as string, '[Service]\nExecStart=/bin/other\n');
    expect(await readBack()).toEqual({
      exists: true,
      properties: {
        ...record,
        enabled: false,
        state: 'stopped',
        unit_file: hash('[Service]\nExecStart=/bin/other\n'),
      },
    });
    expect(
      await readSystemdResource('service', 'gone.service', { name: 'gone.service', enabled: true }, fake.context().ctx),
    ).toEqual({
      exists: false,
    });
    expect(await readSystemdResource('file', '/x', {}, fake.context().ctx)).toBeUndefined();
  });

  it('on this machine (real, not booted with systemd) it fails saying so, as stack drift shows it', async () => {
    const comm = readFileSync('/proc/1/comm', 'utf8').trim();
    const { ctx } = testContext({ checkMode: true });
    await expect(readSystemdResource('service', 'nginx', { name: 'nginx', enabled: true }, { ...ctx, fn: '' })).rejects.toThrow(
      `systemd: systemd is not running here (PID 1 is ${comm})`,
    );
  });
});
