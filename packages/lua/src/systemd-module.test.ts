import { afterEach, describe, expect, it } from 'vitest';
import { cleanUpFakes, fakeSystemd } from '../../modules/systemd/src/fake-systemctl.test-helper.js';
import { runSource } from './test-workflow.test-helper.js';

// The systemd module from Lua. The test machines are not booted with systemd, so systemctl is the recorded fake of
// the module's tests (SLOTH_SYSTEMCTL in the run's environment).
afterEach(cleanUpFakes);

const WORKFLOW = `
task("nginx"):command(function()
  local r = systemd.enable("nginx")
  if not r.changed or r.changes.enabled.new ~= true then error("expected enabled: " .. json.encode(r)) end
  systemd.start("nginx")
  local again = systemd.start("nginx")
  if again.changed or next(again.changes) ~= nil then error("expected no change: " .. json.encode(again)) end
  if not systemd.is_active("nginx") or systemd.status("nginx").main_pid ~= 4242 then error("not running") end
end)
task("app"):depends_on({ "nginx" }):command(function()
  local r = systemd.service({ name = "app", exec_start = "/bin/app", enabled = true, unit_dir = params.unit_dir })
  if not r.changed or r.changes.unit_file.old ~= nil or not r.diff then error(json.encode(r)) end
  if systemd.service({ name = "app", exec_start = "/bin/app", enabled = true, unit_dir = params.unit_dir }).changed then
    error("expected no change the second time")
  end
end)
task("bad"):depends_on({ "app" }):command(function()
  systemd.start("/etc/systemd/system/nginx.service")
end)
`;

describe('the systemd module in a workflow (fake systemctl)', () => {
  it("returns the change contract to Lua (r.changed, r.changes); a unit name with / fails at the caller's line", async () => {
    const fake = fakeSystemd({ nginx: {} });
    const { result } = await runSource(WORKFLOW, {
      params: { unit_dir: fake.unitDir },
      run: { env: { ...(process.env as Record<string, string>), ...fake.env } },
    });
    const byName = Object.fromEntries(result.tasks.map((t) => [t.name, t]));
    expect([byName.nginx?.error, byName.app?.error]).toEqual([undefined, undefined]);
    expect([byName.nginx?.changed, byName.app?.changed]).toEqual([true, true]);
    expect(byName.bad?.error).toMatch(
      /test\.sloth:18: systemd\.start: argument #1 \(name\): '\/etc\/systemd\/system\/nginx\.service' contains '\/'/,
    );
    expect(fake.changing()).toEqual(['enable nginx', 'start nginx', 'daemon-reload', 'enable app.service', 'start app.service']);
  });
});
