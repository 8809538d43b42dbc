import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSource } from './test-workflow.test-helper.js';

// file_ops through the Lua runtime: the returned table as a workflow reads it, values and params in templates, and
// errors at the caller's line.
const WORKFLOW = `
task("configure"):command(function()
  file_ops.file({ path = "out/app.conf", mode = "0644" })
  local c = file_ops.copy({ src = "files/app.conf", dest = "out/app.conf", mode = "0600" })
  log.info("copy " .. tostring(c.changed) .. " mode " .. tostring(c.changes.mode and c.changes.mode.old) .. " -> " .. tostring(c.mode))
  log.info("copy diff " .. tostring(c.diff ~= nil) .. " content hash " .. tostring(c.changes.content and c.changes.content.new))
  local t = file.template({ src = "templates/motd.j2", dest = "out/motd", vars = { who = "ops" } })
  log.info("template " .. tostring(t.changed) .. " " .. tostring(t.diff and t.diff:match("%+welcome[^\\n]*")))
  local l = file_ops.lineinfile({ path = "out/app.conf", regexp = "^port=", line = "port=8080" })
  log.info("lineinfile " .. tostring(l.changed) .. " " .. tostring(l.path))
end)
task("again"):depends_on({ "configure" }):command(function()
  local c = file_ops.copy({ content = "port=8080\\n", dest = "out/app.conf", mode = 384 })
  local t = file.template({ src = "templates/motd.j2", dest = "out/motd", vars = { who = "ops" } })
  local l = file_ops.lineinfile({ path = "out/app.conf", regexp = "^port=", line = "port=8080" })
  log.info("again " .. tostring(c.changed or t.changed or l.changed) .. " " .. tostring(next(c.changes)) .. " " .. tostring(t.diff))
end)
`;

describe('file_ops in a workflow', () => {
  it('returns the change contract to Lua, renders values and params, and a re-run changes nothing', async () => {
    const extra = {
      'files/app.conf': 'port=80\n',
      'templates/motd.j2': 'welcome {{ who }} to {{ values.site }} ({{ params.env }})\n',
      'out/app.conf': 'port=80\n',
    };
    const run = () => runSource(WORKFLOW, { extra, values: { site: 'eu-1' }, params: { env: 'prod' } });
    const first = await run();
    expect(first.result.tasks[0]?.error).toBeUndefined();
    expect(first.result.status).toBe('success');
    expect(first.result.tasks[0]).toMatchObject({ changed: true });
    expect(first.logs).toEqual([
      'configure: copy true mode 0644 -> 0600',
      'configure: copy diff false content hash nil',
      'configure: template true +welcome ops to eu-1 (prod)',
      `configure: lineinfile true ${join(first.dir, 'out/app.conf')}`,
      'again: again false nil nil',
    ]);
    expect(first.result.tasks[1]).toMatchObject({ name: 'again', changed: false });
    expect(readFileSync(join(first.dir, 'out/app.conf'), 'utf8')).toBe('port=8080\n');
    expect(statSync(join(first.dir, 'out/app.conf')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(first.dir, 'out/motd'), 'utf8')).toBe('welcome ops to eu-1 (prod)\n');
  });

  it("raises bad input at the caller's line, with the function and field", async () => {
    const { result } = await runSource(
      `task("bad"):command(function()
  file_ops.copy({ content = "x", dest = "f", mode = "0999" })
end)
task("tpl"):command(function()
  file.template({ src = "broken.j2", dest = "f" })
end)`,
      { extra: { 'broken.j2': 'a\n{{ x | }}\n' } },
    );
    expect(result.status).toBe('failed');
    const [bad, tpl] = result.tasks;
    expect(bad?.error).toMatch(/test\.sloth:2: file_ops\.copy: argument #1 \(opts\) field 'mode': expected a mode: octal digits/);
    expect(tpl?.error).toMatch(/test\.sloth:5: file\.template: template broken\.j2:2: expected symbol, got variable-end/);
  });
});
