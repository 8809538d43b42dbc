import { describe, expect, it } from 'vitest';
import { loadError, loadSource } from './test-workflow.test-helper.js';

describe('load-time errors name the file, the line and what to do', () => {
  it('reports a Lua syntax error with file and line', async () => {
    const err = await loadError('local x = 1\nlocal t = task("a"\n:command(function() end)\nlocal = 3\n');
    expect(err.code).toBe('load');
    expect(err.message).toMatch(/test\.sloth:\d+: .*expected/);
  });

  it('rejects an unknown builder method with the nearest valid one', async () => {
    const err = await loadError('task("a")\n  :command(function() end)\n  :timout("5s")\n');
    expect(err.message).toContain('test.sloth:');
    expect(err.message).toContain('unknown task method "timout"');
    expect(err.message).toContain("did you mean 'timeout'");
  });

  it('rejects an unknown table key in the table form', async () => {
    const err = await loadError('task({ name = "a", run = function() end, depend_on = {"b"} })');
    expect(err.message).toContain('unknown task key "depend_on"');
    expect(err.message).toContain("did you mean 'depends_on'");
  });

  it('rejects an unknown workflow config key', async () => {
    const err = await loadError(
      'local a = task("a"):command("true")\nworkflow.define("w", { tasks = {a}, config = { max_paralel_tasks = 2 } })',
    );
    expect(err.message).toContain('unknown workflow config key "max_paralel_tasks"');
    expect(err.message).toContain("did you mean 'max_parallel_tasks'");
  });

  it('rejects wrong builder argument types', async () => {
    expect((await loadError('task("a"):command(42)')).message).toContain(
      'command expects a function or a shell command string, got number',
    );
    expect((await loadError('task("a"):command("true"):timeout(true)')).message).toContain('timeout expects a duration');
    expect((await loadError('task("a"):command("true"):timeout("5 minutes")')).message).toContain('invalid duration');
    expect((await loadError('task("a"):command("true"):retries(2, "sometimes")')).message).toContain(
      'unknown strategy "sometimes"',
    );
  });

  it('rejects a task without a command, naming where it was declared', async () => {
    const err = await loadError('local a = task("a"):description("nothing to do")\nworkflow.define("w", { tasks = { a } })');
    expect(err.message).toContain("task 'a' has no command");
    expect((err as { location?: string }).location).toMatch(/test\.sloth:1/);
  });

  it('rejects a task declared twice', async () => {
    const err = await loadError('task("a"):command("true")\ntask("a"):command("false")');
    expect(err.message).toContain('task "a" is declared twice (first at');
  });

  it('names a task variable that is nil when the workflow is defined', async () => {
    // Declared, so the static check lets it through: Lua sees the nil in the middle of the list when it runs.
    const err = await loadError(
      'local a = task("a"):command("true")\nlocal missing_task\nworkflow.define("w", { tasks = { a, missing_task, a } })',
    );
    expect(err.message).toMatch(
      /test\.sloth:3: workflow "w": tasks item #2 is nil \(is that task variable undefined or misspelled\?\)/,
    );
  });

  it('surfaces a runtime error at load time with its line', async () => {
    const err = await loadError('local x = nil\nlocal y = x.field\n');
    expect(err.message).toMatch(/test\.sloth:2: attempt to index a nil value/);
  });

  it('reports a missing file as not_found', async () => {
    const { WorkflowFile } = await import('./workflow-file.js');
    await expect(WorkflowFile.load({ file: '/nonexistent/x.sloth', modules: [] })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('lists existing workflows when the name is wrong', async () => {
    const { file } = await loadSource(
      'local a = task("a"):command("true")\nworkflow.define("build", { tasks = {a} })\nworkflow.define("deploy", { tasks = {a} })',
    );
    try {
      expect(() => file.findWorkflow('biuld')).toThrow(/workflow 'biuld' not found.*did you mean 'build'/);
      expect(() => file.findWorkflow()).toThrow(/defines 2 workflows/);
    } finally {
      file.close();
    }
  });

  it('reports a cycle and an unknown dependency when the workflow is planned', async () => {
    const { validateWorkflow } = await import('@sloth/core/internal');
    const { file } = await loadSource(
      [
        'local a = task("a"):command("true"):depends_on("c")',
        'local b = task("b"):command("true"):depends_on("a")',
        'local c = task("c"):command("true"):depends_on("b")',
        'local d = task("d"):command("true"):depends_on("nope")',
        'workflow.define("cyc", { tasks = {a, b, c} })',
        'workflow.define("unknown", { tasks = {d} })',
      ].join('\n'),
    );
    try {
      expect(() => validateWorkflow(file.findWorkflow('cyc'))).toThrow(/dependency cycle .*: a -> c -> b -> a/);
      expect(() => validateWorkflow(file.findWorkflow('unknown'))).toThrow(/depends on 'nope'/);
    } finally {
      file.close();
    }
  });
});
