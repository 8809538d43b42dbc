import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, writeFiles } from './cli.test-helper.js';

/** A file with three mistakes that fail only when it runs; its first line would write `ran` if it ran. */
const MISTAKES = `fs.write("ran", "the file ran")
local a = task("a"):command(function()
  apt.install("nginx")
  fs.wrte("out.txt", "x")
end)
local b = task("b"):command("true")
workflow.define("w", { tasks = { a, b, terraform_plan_task } })
`;

describe('what would fail at run time is reported before anything runs', () => {
  for (const command of [['validate'], ['workflow', 'run'], ['workflow', 'list'], ['workflow', 'preview']]) {
    it(`${command.join(' ')}: exit 2, each mistake at file:line with a plausible suggestion, nothing run`, async () => {
      const dir = writeFiles({ 'ci.sloth': MISTAKES });
      const r = await runCli([...command, '-f', 'ci.sloth'], { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr.split('\n').slice(0, 4)).toEqual([
        "error: ci.sloth:3: apt.install: 'apt' is not defined: no local, global or module has that name",
        "  ci.sloth:4: unknown function fs.wrte (did you mean 'write'?)",
        "  ci.sloth:7: 'terraform_plan_task' in a tasks list is not defined: no local, global or module has that name",
        '  hint: define what is missing (local NAME = ...) or fix the spelling; `sloth-runner modules list` shows the modules and their functions',
      ]);
      expect(r.stderr).not.toContain('    at ');
      expect(r.stdout).toBe('');
      expect(existsSync(join(dir, 'ran'))).toBe(false);
    });
  }

  it('a misspelled module suggests the module', async () => {
    const dir = writeFiles({ 'w.sloth': 'task("a"):command(function() return exce.run("true") end)' });
    const r = await runCli(['validate', '-f', join(dir, 'w.sloth')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/w\.sloth:1: exce\.run: 'exce' is not defined: .* \(did you mean 'exec'\?\)/);
  });

  it('the same file, corrected, is valid and runs', async () => {
    const fixed = MISTAKES.replace('apt.install("nginx")', 'exec.run("true")')
      .replace('fs.wrte', 'fs.write')
      .replace(', terraform_plan_task', '');
    const dir = writeFiles({ 'ci.sloth': fixed });
    const valid = await runCli(['validate', '-f', 'ci.sloth'], { cwd: dir });
    expect(valid.stderr).toBe('');
    expect(valid.stdout).toContain('✓ ci.sloth is valid: 1 workflow(s) (w), 2 task(s)');
    const run = await runCli(['workflow', 'run', '-f', 'ci.sloth'], { cwd: dir });
    expect(run.code).toBe(0);
    expect(existsSync(join(dir, 'out.txt'))).toBe(true);
  });
});
