import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, runCli, writeFiles } from './cli.test-helper.js';

describe('CLI commands', () => {
  it('--version answers fast-path and version gives details', async () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'apps/cli/package.json'), 'utf8'));
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`sloth-runner version ${pkg.version}\n`);
    const v = await runCli(['version']);
    expect(v.stdout).toContain(`sloth-runner version ${pkg.version}`);
    expect(v.stdout).toContain(`node ${process.version}`);
  });

  it('workflow list shows workflows, in a table or JSON', async () => {
    const r = await runCli(['workflow', 'list', '-f', 'examples/ci-pipeline.sloth']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('CI pipeline with parallel checks');
    const j = JSON.parse((await runCli(['workflow', 'list', '-f', 'examples/ci-pipeline.sloth', '-o', 'json'])).stdout);
    expect(j.workflows[0]).toMatchObject({
      name: 'ci',
      version: '1.0.0',
      tasks: ['checkout', 'lint', 'unit_tests', 'flaky_check', 'report'],
    });
    // The seed's legacy spelling.
    const legacy = await runCli(['list', '-f', 'examples/ci-pipeline.sloth']);
    expect(legacy.code).toBe(0);
    expect(legacy.stdout).toBe(r.stdout);
  });

  it('workflow preview shows levels: what runs in parallel and what waits', async () => {
    const r = await runCli(['workflow', 'preview', '-f', 'examples/ci-pipeline.sloth']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Level 1');
    expect(r.stdout).toContain('Level 2 (3 in parallel)');
    expect(r.stdout).toMatch(/report\s+after lint, unit_tests, flaky_check/);
    const j = JSON.parse((await runCli(['workflow', 'preview', 'ci', '-f', 'examples/ci-pipeline.sloth', '-o', 'json'])).stdout);
    expect(j.levels.map((l: { name: string }[]) => l.map((t) => t.name))).toEqual([
      ['checkout'],
      ['lint', 'unit_tests', 'flaky_check'],
      ['report'],
    ]);
    expect(j.handlers).toEqual([]);
  });

  it('workflow preview lists handlers apart, and which tasks notify them', async () => {
    const dir = writeFiles({
      'h.sloth':
        'task("conf"):notify({ "restart" }):command(function() end)\ntask("restart"):handler():command(function() end)\n',
    });
    const r = await runCli(['workflow', 'preview', '-f', join(dir, 'h.sloth')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Level 1\n\s+• conf\s+notifies restart\nHandlers .*\n\s+• restart/);
    const j = JSON.parse((await runCli(['workflow', 'preview', '-f', join(dir, 'h.sloth'), '-o', 'json'])).stdout);
    expect(j.levels).toHaveLength(1);
    expect(j.handlers).toEqual(['restart']);
  });

  it('validate says what the file holds, and never runs tasks', async () => {
    const dir = writeFiles({
      'w.sloth': 'task("a"):command("touch /tmp/sloth-validate-should-not-run/ran")',
    });
    const r = await runCli(['validate', '-f', join(dir, 'w.sloth')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('is valid: 1 workflow(s) (w), 1 task(s)');
    const { existsSync } = await import('node:fs');
    expect(existsSync('/tmp/sloth-validate-should-not-run/ran')).toBe(false);
  });

  it('modules list shows every module, one module in detail, and JSON docs', async () => {
    const all = await runCli(['modules', 'list']);
    expect(all.code).toBe(0);
    // Every name whole, the longest too.
    for (const m of ['log', 'exec', 'fs', 'json', 'yaml', 'data', 'load_balancer'])
      expect(all.stdout).toMatch(new RegExp(`│ ${m}\\s`));
    const exec = await runCli(['modules', 'list', '--module', 'exec']);
    expect(exec.stdout).toContain('exec.run(cmd, opts?)');
    expect(exec.stdout).toContain('# Examples');
    const json = JSON.parse((await runCli(['modules', 'list', '--module', 'fs', '--format', 'json'])).stdout);
    expect(json.name).toBe('fs');
    expect(json.functions.find((f: { name: string }) => f.name === 'read').args[0]).toMatchObject({
      name: 'path',
      optional: false,
    });
    const missing = await runCli(['modules', 'list', '--module', 'exce']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("did you mean 'exec'");
  });

  it('--output json prints one JSON object with status, tasks and outputs', async () => {
    const r = await runCli(['workflow', 'run', 'hello_world_workflow', '-f', 'examples/hello-world.sloth', '--output', 'json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ status: 'success', workflow: 'hello_world_workflow' });
    expect(report.tasks.say_hello).toMatchObject({
      status: 'success',
      attempts: 1,
      output: { message: 'Hello World', status: 'success' },
    });
    expect(report.outputs.say_hello.message).toBe('Hello World');
    expect(typeof report.duration_ms).toBe('number');
  });

  it('--output json says which tasks changed something: fs.write writes only a file whose content differs', async () => {
    const dir = writeFiles({
      'w.sloth': `task("write"):command(function() fs.write("motd", "hi") end)
        task("again"):depends_on({ "write" }):command(function() fs.write("motd", "hi") end)
        task("other"):command(function() log.info("nothing to converge") end)`,
    });
    const r = await runCli(['workflow', 'run', '-f', join(dir, 'w.sloth'), '--output', 'json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const { tasks } = JSON.parse(r.stdout);
    expect([tasks.write.changed, tasks.again.changed, 'changed' in tasks.other]).toEqual([true, false, false]);
    expect(readFileSync(join(dir, 'motd'), 'utf8')).toBe('hi');
  });

  it('with one workflow in the file, NAME may be any name', async () => {
    const r = await runCli(['workflow', 'run', 'my-stack', '-f', 'examples/hello-world.sloth', '--output', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).workflow).toBe('hello_world_workflow');
  });

  it('--param values are typed: numbers and booleans arrive as such', async () => {
    const dir = writeFiles({
      'w.sloth':
        'task("a"):command(function(params) log.info(math.type(params.n) .. " " .. type(params.flag) .. " " .. params.name) end)',
    });
    const r = await runCli(['run', '-f', join(dir, 'w.sloth'), '--param', 'n=3', '--param', 'flag=true', '--param', 'name=web']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('[a] integer boolean web');
  });

  it('help lists every command', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['workflow', 'validate', 'modules', 'version']) expect(r.stdout).toContain(c);
    const run = await runCli(['workflow', 'run', '--help']);
    expect(run.stdout).toContain('--values');
    expect(run.stdout).toContain('run'); // the alias
  });
});

describe('colours', () => {
  const ESC = '\u001b[';
  const commands = [
    ['modules', 'list'],
    ['modules', 'list', '--module', 'exec'],
    ['workflow', 'list', '-f', 'examples/ci-pipeline.sloth'],
    ['workflow', 'run', '-f', 'examples/hello-world-modern.sloth'],
    ['workflow', 'preview', '-f', 'examples/ci-pipeline.sloth'],
  ];

  it.each([
    ['piped with NO_COLOR=1', { NO_COLOR: '1', CI: '' }],
    ['piped in CI (picocolors alone colours whenever CI is set)', { NO_COLOR: '', CI: 'true' }],
  ])('are off %s', async (_how, env) => {
    for (const args of commands) {
      const r = await runCli(args, { env });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      expect(r.stdout, args.join(' ')).not.toContain(ESC);
      expect(r.stderr, args.join(' ')).not.toContain(ESC);
    }
    const bad = await runCli(['workflow', 'run', '-f', '/nonexistent.sloth'], { env });
    expect(bad.stderr).toContain('error:');
    expect(bad.stderr).not.toContain(ESC);
  });

  it('are on with FORCE_COLOR, tables included', async () => {
    const r = await runCli(['modules', 'list'], { env: { NO_COLOR: '', FORCE_COLOR: '1' } });
    expect(r.stdout).toContain(`${ESC}1m Module`);
  });
});

describe('on a terminal', () => {
  it('shows running tasks live (spinner, elapsed time, last log line), then the summary', async () => {
    const dir = writeFiles({
      'live.sloth': 'task("slow"):command(function() log.info("working on it") exec.run("sleep 1") return true, "done" end)',
    });
    const { spawnSync } = await import('node:child_process');
    const env: Record<string, string> = { ...(process.env as Record<string, string>), TERM: 'xterm', COLUMNS: '100' };
    delete env.CI;
    delete env.NO_COLOR;
    // `script` gives the CLI a pseudo-terminal, as a person's shell would.
    const r = spawnSync(
      'script',
      [
        '-qfec',
        `stty cols 100 rows 30; node ${join(REPO, 'apps/cli/bin/run.js')} run -f ${join(dir, 'live.sloth')}`,
        '/dev/null',
      ],
      {
        env,
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    const { stripVTControlCharacters } = await import('node:util');
    const screen = stripVTControlCharacters(r.stdout);
    expect(r.status).toBe(0);
    expect(screen).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] slow \d+ms working on it/);
    expect(screen).toContain("✓ workflow 'live' succeeded");
    expect(screen).not.toContain('[slow] started'); // that line is for logs, not terminals
  });
});
