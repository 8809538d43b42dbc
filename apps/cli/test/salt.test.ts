import { describe, expect, it } from 'vitest';
import { fakeSaltCall } from '../../../packages/modules/salt/src/fake-salt.test-helper.js';
import { runTaskJson, writeFiles } from './cli.test-helper.js';

const WORKFLOW = `task("states"):command(function()
  local r = salt.state_apply({ state = "motd" })
  if not r.success then error(r.error) end
  local comments = {}
  for _, s in ipairs(r.states) do comments[#comments + 1] = s.id .. ": " .. s.comment end
  return true, "applied", { changed = r.changed, test = r.test, comments = comments }
end):build()
`;

describe('salt from Lua (fake salt-call CLI, real sloth-runner)', () => {
  it('state_apply reports each state; --check runs test=True; a rerun changes nothing', async () => {
    const fake = fakeSaltCall();
    const dir = writeFiles({ 'states.sloth': WORKFLOW });
    const run = (...extra: string[]) => runTaskJson(dir, 'states.sloth', 'states', { SLOTH_SALT_CALL_BIN: fake.bin }, ...extra);
    expect(await run('--check')).toMatchObject({
      changed: true,
      output: {
        test: true,
        comments: ['nginx: All specified packages are already installed', 'motd: The file /etc/motd is set to be changed'],
      },
    });
    expect(await run()).toMatchObject({ changed: true, output: { changed: true, test: false } });
    expect(await run()).toMatchObject({ changed: false, output: { changed: false } });
  });
});
