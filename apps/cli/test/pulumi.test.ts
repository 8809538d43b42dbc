import { describe, expect, it } from 'vitest';
import { fakePulumi } from '../../../packages/modules/pulumi/src/fake-pulumi.test-helper.js';
import { runTaskJson, writeFiles } from './cli.test-helper.js';

const WORKFLOW = `task("stack"):command(function()
  local r = pulumi.up({ cwd = ".", stack = "dev", config = { ["website:domain"] = "example.test" } })
  if not r.success then error(r.error) end
  return true, "up", { changed = r.changed, url = pulumi.stack_output({ stack = "dev", name = "url" }) }
end):build()
`;

describe('pulumi from Lua (fake pulumi CLI, real sloth-runner)', () => {
  it('pulumi.up updates once, then reports no change; --check only previews', async () => {
    const fake = fakePulumi();
    const dir = writeFiles({ 'stack.sloth': WORKFLOW });
    const run = (...extra: string[]) => runTaskJson(dir, 'stack.sloth', 'stack', { SLOTH_PULUMI_BIN: fake.bin }, ...extra);
    const check = await run('--check');
    expect(check).toMatchObject({ changed: true, output: { changed: true } });
    expect(fake.calls().map((a) => a[0])).toEqual(['preview', 'stack']);
    expect(await run()).toMatchObject({ changed: true, output: { changed: true, url: 'http://website-dev.example.test' } });
    expect(await run()).toMatchObject({ changed: false, output: { changed: false } });
    expect(fake.calls().filter((a) => a[0] === 'up')).toHaveLength(1);
  });
});
