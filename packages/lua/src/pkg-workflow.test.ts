import { afterAll, describe, expect, it } from 'vitest';
import { buildDeb, cleanUp, dpkgStatus, testPackageName } from '../../modules/pkg/src/deb.test-helper.js';
import { runSource } from './test-workflow.test-helper.js';

// pkg through the Lua runtime, with real apt-get and dpkg (root on Debian) and a .deb built here: the change
// contract as Lua sees it, and the task's changed made from it.
const name = testPackageName();
const deb = buildDeb(name, '1.0-1');
afterAll(() => cleanUp([name]));

const WORKFLOW = `
task("install"):command(function()
  local first = pkg.install({ deb = params.deb })
  if check_mode then
    assert(first.changed == true and first.check_mode == true, "check mode: would install")
    assert(pkg.is_installed(params.name) == false, "check mode: not installed")
  else
    assert(first.changed == true, "first install: changed")
    assert(first.changes[params.name].new == "1.0-1", "first install: new version")
    assert(first.changes[params.name].old == nil, "first install: no old version")
    assert(first.packages[1] == params.name, "first install: packages")
    local second = pkg.install({ packages = { params.name } })
    assert(second.changed == false, "second install: unchanged")
    local third = pkg.install({ params.name, state = "present" })
    assert(third.changed == false and #third.packages == 0, "list part and keys in one table")
    assert(pkg.version(params.name) == "1.0-1", "pkg.version")
  end
  return true, "ok", { first = first.changed, check = first.check_mode }
end)
task("again"):depends_on({ "install" }):command(function()
  local r = pkg.install(params.name)
  return true, "ok", { changed = r.changed }
end)
`;

describe('pkg in a workflow', () => {
  it('check mode installs nothing; a run installs once; the task after finds it in place', async () => {
    const params = { deb, name };
    const checked = await runSource(WORKFLOW, { params, run: { checkMode: true } });
    expect(checked.result.tasks.find((t) => t.name === 'install')).toMatchObject({ status: 'success', changed: true });
    expect(dpkgStatus(name)).toBe('');

    const { result } = await runSource(WORKFLOW, { params });
    expect(result.tasks.map((t) => t.error)).toEqual([undefined, undefined]);
    const byName = Object.fromEntries(result.tasks.map((t) => [t.name, t]));
    expect(byName.install).toMatchObject({ changed: true, output: { first: true, check: false } });
    expect(byName.again).toMatchObject({ changed: false, output: { changed: false } });
    expect(dpkgStatus(name)).toBe('install ok installed 1.0-1');
  });
});
