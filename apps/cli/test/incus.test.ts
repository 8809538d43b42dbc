import { describe, expect, it } from 'vitest';
import { fakeIncus } from '../../../packages/modules/incus/src/fake-incus.test-helper.js';
import { runTaskJson, writeFiles } from './cli.test-helper.js';

const WORKFLOW = `task("vm"):command(function()
  local web = incus.instance({ name = "web-01", image = "images:debian/12", profiles = { "default" } })
    :create()
    :start()
    :wait_running()
  web:exec("apt-get update")
  return true, "up", { ok = web.result.success, name = web.name }
end):build()
`;

describe('incus from Lua (fake incus CLI, real sloth-runner)', () => {
  it('the fluent instance API creates and starts once; a rerun and --check change nothing', async () => {
    const fake = fakeIncus();
    const dir = writeFiles({ 'vm.sloth': WORKFLOW });
    const run = (...extra: string[]) => runTaskJson(dir, 'vm.sloth', 'vm', { SLOTH_INCUS_BIN: fake.bin }, ...extra);
    expect(await run()).toMatchObject({ status: 'success', changed: true, output: { ok: true, name: 'web-01' } });
    expect(
      fake
        .calls()
        .filter((a) => a[0] !== 'list')
        .map((a) => a[0]),
    ).toEqual(['init', 'start', 'exec']);
    expect(await run()).toMatchObject({ status: 'success', changes: [] });
    expect(await run('--check')).toMatchObject({ status: 'success', changes: [] });
    expect(
      fake
        .calls()
        .filter((a) => a[0] !== 'list')
        .map((a) => a[0]),
    ).toEqual(['init', 'start', 'exec', 'exec']);
  });
});
