import { chmodSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MultipleReturns } from '@sloth/core';
import { failure, testContext } from '@sloth/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanUpFakes, fakeSystemd } from '../../systemd/src/fake-systemctl.test-helper.js';
import { closeCollector, openCollector } from './collectors.js';
import { infraTestModule } from './infra-test-module.js';
import { parseProcNet } from './proc-net.js';

const dir = mkdtempSync(join(tmpdir(), 'sloth-infra-test-'));
writeFileSync(join(dir, 'a.conf'), 'worker_processes 4;\n');
chmodSync(join(dir, 'a.conf'), 0o640);
symlinkSync('a.conf', join(dir, 'link'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  cleanUpFakes();
});

/** Calls a check as its Lua wrapper does: through `_check`, with no enclosing soft block unless `collector` is given. */
function check(name: string, args: unknown[], options: { ctx?: ReturnType<typeof testContext>; collector?: number } = {}) {
  const t = options.ctx ?? testContext({ workdir: dir });
  const spec = infraTestModule.internals?._check;
  if (!spec) throw new Error('no _check');
  return {
    t,
    result: Promise.resolve(
      spec.run([name, options.collector, args.length, ...args] as never, { ...t.ctx, fn: 'infra_test._check' }),
    ),
  };
}
/** A port nothing listens on: one the kernel just gave and took back. */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

const passes = (name: string, ...args: unknown[]) => check(name, args).result;
const why = async (name: string, ...args: unknown[]) => (await failure(check(name, args).result)).message;

describe('infra_test checks', () => {
  it('pass on what is there and count each check for the task', async () => {
    const { t, result } = check('file_contains', ['a.conf', 'worker_processes']);
    expect(await result).toBe(true);
    expect(t.assertions).toEqual([{ name: 'infra_test.file_contains("a.conf", "worker_processes")', passed: true, message: '' }]);
    expect(await passes('file_exists', 'link')).toBe(true);
    expect(await passes('file_mode', 'a.conf', '0640')).toBe(true);
    expect(await passes('is_directory', '.')).toBe(true);
    expect(await passes('kernel_param', 'kernel/ostype', 'Linux')).toBe(true);
    expect(await passes('user_exists', 'root')).toBe(true);
    expect(await passes('package_is_installed', 'bash')).toBe(true);
  });

  it('fail with what they found, named after the check, counted as failed', async () => {
    const { t, result } = check('file_mode', ['a.conf', '644']);
    expect((await failure(result)).message).toBe('infra_test.file_mode: a.conf has mode 0640, expected 0644');
    expect(t.assertions[0]).toMatchObject({ passed: false, name: 'infra_test.file_mode("a.conf", "644")' });
    expect(await why('file_exists', 'nope')).toBe('infra_test.file_exists: nope does not exist');
    expect(await why('is_directory', 'a.conf')).toBe('infra_test.is_directory: a.conf is a file, not a directory');
    expect(await why('file_contains', '.', 'x')).toBe('infra_test.file_contains: . is a directory, not a file');
    expect(await why('file_sha256', 'a.conf', '0'.repeat(64))).toMatch(
      /^infra_test\.file_sha256: a\.conf has sha256 [0-9a-f]{64}, expected 0{64}$/,
    );
    expect(await why('kernel_param', 'kernel.ostype', 'BSD')).toBe(
      'infra_test.kernel_param: kernel.ostype is "Linux", expected "BSD"',
    );
    expect(await why('kernel_param', 'no.such.param', 1)).toBe(
      'infra_test.kernel_param: no kernel parameter no.such.param (/proc/sys/no/such/param does not exist)',
    );
    expect(await why('mount_exists', '/no/such/mount')).toBe('infra_test.mount_exists: nothing is mounted at /no/such/mount');
    expect(await why('user_exists', 'no-such-user-xyz')).toBe('infra_test.user_exists: user no-such-user-xyz does not exist');
    expect(await why('group_exists', 'no-such-group-xyz')).toBe(
      'infra_test.group_exists: group no-such-group-xyz does not exist',
    );
    expect(await why('package_is_installed', 'bash', '0.0')).toMatch(
      /^infra_test\.package_is_installed: package bash \S+ is installed, expected 0\.0$/,
    );
    expect(await why('process_count', 'no-such-process', 1)).toBe(
      'infra_test.process_count: 0 processes named no-such-process running, expected 1',
    );
    expect(await why('command_succeeds', 'echo oops >&2; exit 3')).toBe(
      'infra_test.command_succeeds: `echo oops >&2; exit 3` exited with code 3: oops',
    );
    const closed = await freePort();
    expect(await why('http_status', `http://127.0.0.1:${closed}/`, 200)).toBe(
      `infra_test.http_status: GET http://127.0.0.1:${closed}/ failed: ECONNREFUSED`,
    );
    expect(await why('can_connect', '127.0.0.1', closed)).toBe(
      `infra_test.can_connect: cannot connect to 127.0.0.1:${closed}: ECONNREFUSED`,
    );
    expect(await why('dns_resolves', 'no-such-host.invalid')).toMatch(
      /^infra_test\.dns_resolves: no-such-host\.invalid does not resolve: E/,
    );
  });

  it('refuse a wrong argument under the public name, not as a failed check', async () => {
    const { t, result } = check('file_mode', ['a.conf', 644]);
    const err = await failure(result);
    expect(err.code).toBe('invalid_argument');
    expect(err.message).toBe('infra_test.file_mode: argument #2 (mode): expected string, got number');
    expect(t.assertions).toEqual([]);
    expect((await failure(check('port_is_tcp', [80, 'web-01', 'extra']).result)).message).toBe(
      'infra_test.port_is_tcp: takes 2 argument(s), got 3',
    );
    expect(await why('http_status', 'ftp://x', 200)).toBe(
      'infra_test.http_status: argument #1 (url): expected an http:// or https:// URL',
    );
  });

  it('an agent name in a run without a master: an error saying what it needs', async () => {
    const err = await failure(check('port_is_listening', [80, 'web-01']).result);
    expect(err.code).toBe('usage');
    expect(err.message).toBe("infra_test.port_is_listening: running it on agent 'web-01' needs a master, but this run has none");
  });

  it('inside a soft block: record, and return false and why instead of raising', async () => {
    const id = openCollector();
    const { t, result } = check('file_exists', ['nope'], { collector: id });
    const out = await result;
    expect(out).toBeInstanceOf(MultipleReturns);
    expect((out as MultipleReturns).values).toEqual([false, 'infra_test.file_exists: nope does not exist']);
    expect(t.assertions).toEqual([]);
    expect(closeCollector(id)).toEqual([
      { name: 'infra_test.file_exists("nope")', passed: false, message: 'infra_test.file_exists: nope does not exist' },
    ]);
  });

  it('read services from systemd: running, enabled, unknown; and say so where systemd does not run', async () => {
    const fake = fakeSystemd({ nginx: { active: true, unitFileState: 'enabled' }, cron: { unitFileState: 'disabled' } });
    const ctx = fake.context();
    const run = (name: string, unit: string) => check(name, [unit], { ctx }).result;
    expect(await run('service_is_running', 'nginx')).toBe(true);
    expect(await run('service_is_enabled', 'nginx')).toBe(true);
    expect((await failure(run('service_is_running', 'cron'))).message).toBe(
      'infra_test.service_is_running: cron is not running (inactive, dead)',
    );
    expect((await failure(run('service_is_enabled', 'cron'))).message).toBe(
      'infra_test.service_is_enabled: cron is not enabled (disabled)',
    );
    expect((await failure(run('service_is_running', 'nope'))).message).toBe(
      'infra_test.service_is_running: unit nope is not known to systemd',
    );
    const bare = testContext();
    const err = await failure(check('service_is_running', ['nginx'], { ctx: bare }).result);
    // This machine runs systemd or not: either way the check is decided, never left vague.
    expect(err.message).toMatch(
      /^infra_test\.service_is_running: (systemd is not running here \(PID 1 is .+\)|unit nginx is not known to systemd|nginx is not running)/,
    );
  });

  it('ping: the real ping when installed, else an error saying to install it', async () => {
    const t = testContext({ workdir: dir });
    const noPing = { ...t, ctx: { ...t.ctx, env: { ...t.ctx.env, PATH: dir } } };
    const err = await failure(check('ping', ['127.0.0.1', 1], { ctx: noPing }).result);
    expect(err.code).toBe('not_found');
    expect(err.message).toBe("infra_test.ping: 'ping' is not installed on local");
    expect(err.hint).toContain('iputils-ping');
  });
});

describe('parseProcNet', () => {
  const tcp = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1 1 0000000000000000 100 0 0 10 0
   1: 0100007F:C350 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 2 1 0000000000000000 20 4 30 10 -1
`;
  it('keeps listening TCP sockets and every bound UDP one', () => {
    expect(parseProcNet(tcp, 'tcp')).toEqual([8080]);
    expect(parseProcNet(tcp, 'udp')).toEqual([8080, 50000]);
    expect(
      parseProcNet(
        '  sl  local_address\n   0: 00000000000000000000000000000000:0035 00000000000000000000000000000000:0000 07\n',
        'udp',
      ),
    ).toEqual([53]);
  });
});
