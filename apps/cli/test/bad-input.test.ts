import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, writeFiles } from './cli.test-helper.js';

const OK_TASK = 'local a = task("a"):command("true")\n';

describe('bad input gets a clear error and the documented exit code', () => {
  it('a Lua syntax error: exit 2, file and line, no stack trace', async () => {
    const dir = writeFiles({
      'bad.sloth': 'local t = task("a")\n  :command(function()\n    return true\n  end\nworkflow.define(',
    });
    const r = await runCli(['workflow', 'run', '-f', join(dir, 'bad.sloth')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: .*bad\.sloth:\d+: /m);
    expect(r.stderr).toContain('hint:');
    expect(r.stderr).not.toContain('    at ');
  });

  it('--debug adds the stack trace', async () => {
    const dir = writeFiles({ 'bad.sloth': 'task("a"):frobnicate()' });
    const r = await runCli(['workflow', 'run', '-f', join(dir, 'bad.sloth'), '--debug']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown task method "frobnicate"');
    expect(r.stderr).toContain('    at ');
  });

  it('a data directory that cannot be created fails at once with exit 2, naming it and the OS error', async () => {
    const dir = writeFiles({ 'w.sloth': OK_TASK, 'plain-file': 'x' });
    const cases: [string, string][] = [
      ['/proc/sloth-no-such/data', 'ENOENT at /proc/sloth-no-such'],
      [join(dir, 'plain-file', 'data'), `ENOTDIR at ${join(dir, 'plain-file')}`],
    ];
    for (const [dataDir, osError] of cases) {
      // Node's recursive mkdir spun at full CPU here, for ever; the bound turns a hang into a failure.
      for (const args of [
        ['workflow', 'run', '-f', join(dir, 'w.sloth')],
        ['state', 'get', 'k'],
        ['hook', 'list'],
      ]) {
        const r = await runCli([...args, '--data-dir', dataDir], { timeoutMs: 15_000 });
        expect(r.code, args.join(' ')).toBe(2);
        expect(r.stderr).toContain(`cannot create the data directory ${dataDir}: ${osError}`);
        expect(r.stderr).toContain('--data-dir');
        expect(r.stderr).not.toContain('    at ');
      }
    }
  });

  it('an error raised with a table names its fields (or its __tostring) and the file:line that raised it', async () => {
    const dir = writeFiles({
      'top.sloth': 'local x = 1\nerror({ reason = "top", code = 3 })\n',
      'body.sloth': [
        'local E = setmetatable({}, { __tostring = function() return "custom error text" end })',
        'task("fields"):command(function()',
        '  error({ code = 1, msg = "boom" })',
        'end)',
        'task("custom"):command(function()',
        '  error(E)',
        'end)',
        'workflow.define("w", { tasks = { "fields", "custom" }, config = { fail_fast = false } })',
      ].join('\n'),
    });
    const top = await runCli(['workflow', 'run', '-f', join(dir, 'top.sloth')]);
    expect(top.code).toBe(2);
    expect(top.stderr).toContain('top.sloth:2: error table {code=3, reason=top}');
    const body = await runCli(['workflow', 'run', '-f', join(dir, 'body.sloth'), '-o', 'json']);
    expect(body.code).toBe(1);
    const tasks = JSON.parse(body.stdout).tasks;
    expect(tasks.fields.error).toContain('body.sloth:3: error table {code=1, msg=boom}');
    expect(tasks.custom.error).toContain('body.sloth:6: custom error text');
  });

  it('a table nested too deeply fails with a message and the line, instead of crashing the Lua engine', async () => {
    const deep = 'local t = {}\nlocal cur = t\nfor i = 1, 300 do cur.x = {}; cur = cur.x end\n';
    const dir = writeFiles({
      'arg.sloth': `${deep}state.set("deep", t)\ntask("a"):command("true")\n`,
      'output.sloth': `${deep}task("a"):command(function() return true, "ok", { deep = t } end)\n`,
    });
    const arg = await runCli(['workflow', 'run', '-f', join(dir, 'arg.sloth')]);
    expect(arg.code).toBe(2);
    expect(arg.stderr).toContain('arg.sloth:4: a table nested more than 200 levels deep cannot leave Lua');
    const output = await runCli(['workflow', 'run', '-f', join(dir, 'output.sloth'), '-o', 'json']);
    expect(output.code).toBe(1);
    expect(JSON.parse(output.stdout).tasks.a.error).toContain('a table nested more than 200 levels deep cannot leave Lua');
  });

  it('a file may start with a #! line or a UTF-8 byte order mark, as Lua allows; line numbers stay right', async () => {
    const dir = writeFiles({
      'shebang.sloth': '#!/usr/bin/env sloth-runner\ntask("a"):command(function() error("on line 2") end)\n',
      'bom.sloth': '\uFEFFtask("a"):command(function() error("on line 1") end)\n',
    });
    for (const [file, line] of [
      ['shebang.sloth', 2],
      ['bom.sloth', 1],
    ] as const) {
      const r = await runCli(['workflow', 'run', '-f', join(dir, file), '-o', 'json']);
      expect(r.code, r.stderr).toBe(1);
      expect(JSON.parse(r.stdout).tasks.a.error).toContain(`${file}:${line}: on line ${line}`);
    }
  });

  it('-f and -v that are not files say what they are; --set with an empty key part is refused', async () => {
    const dir = writeFiles({ 'w.sloth': OK_TASK });
    const zero = await runCli(['workflow', 'run', '-f', '/dev/zero']);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain("workflow file '/dev/zero' is a character device, not a file");
    const folder = await runCli(['workflow', 'run', '-f', dir]);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toContain(`workflow file '${dir}' is a directory, not a file`);
    const values = await runCli(['workflow', 'run', '-f', join(dir, 'w.sloth'), '-v', dir]);
    expect(values.code).toBe(2);
    expect(values.stderr).toContain(`values file '${dir}' is a directory, not a file`);
    const set = await runCli(['workflow', 'run', '-f', join(dir, 'w.sloth'), '--set', 'a..b=1']);
    expect(set.code).toBe(2);
    expect(set.stderr).toContain("--set a..b=1: the key 'a..b' has an empty part");
  });

  it('a missing workflow file: exit 2', async () => {
    const r = await runCli(['workflow', 'run', '-f', '/nonexistent/flow.sloth']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("workflow file '/nonexistent/flow.sloth' not found");
  });

  it('a workflow name that does not exist: exit 2, the existing names listed', async () => {
    const dir = writeFiles({
      'w.sloth': `${OK_TASK}workflow.define("build", {tasks={a}})\nworkflow.define("deploy", {tasks={a}})`,
    });
    const r = await runCli(['workflow', 'run', 'biuld', '-f', join(dir, 'w.sloth')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("workflow 'biuld' not found");
    expect(r.stderr).toContain("did you mean 'build'");
    expect(r.stderr).toContain('workflows in this file: build, deploy');
  });

  it('a cycle and an unknown dependency: exit 2 naming them', async () => {
    const dir = writeFiles({
      'cycle.sloth': 'task("a"):command("true"):depends_on("b")\ntask("b"):command("true"):depends_on("a")',
      'unknown.sloth': 'task("a"):command("true"):depends_on("setup")',
    });
    const cycle = await runCli(['validate', '-f', join(dir, 'cycle.sloth')]);
    expect(cycle.code).toBe(2);
    expect(cycle.stderr).toContain('dependency cycle');
    expect(cycle.stderr).toContain('a -> b -> a');
    const unknown = await runCli(['workflow', 'run', '-f', join(dir, 'unknown.sloth')]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("task 'a' depends on 'setup'");
  });

  it('a malformed values.yaml: exit 2 with its line', async () => {
    const dir = writeFiles({ 'w.sloth': `${OK_TASK}`, 'values.yaml': 'a:\n  b: 1\n c: [unclosed\n' });
    const r = await runCli(['workflow', 'run', '-f', join(dir, 'w.sloth'), '-v', join(dir, 'values.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/values file .*values\.yaml:\d+:\d+ is not valid YAML/);
  });

  it('values from several -v files deep-merge, then --set wins', async () => {
    const dir = writeFiles({
      'w.sloth':
        'task("a"):command(function() log.info(values.db.host .. " " .. values.db.port .. " " .. values.db.user .. " " .. tostring(values.flag)) end)',
      'base.yaml': 'db:\n  host: base\n  port: 5432\n  user: app\n',
      'prod.yaml': 'db:\n  host: prod\n',
    });
    const r = await runCli([
      'run',
      '-f',
      join(dir, 'w.sloth'),
      '-v',
      join(dir, 'base.yaml'),
      '-v',
      join(dir, 'prod.yaml'),
      '--set',
      'db.port=6000',
      '--set',
      'flag=true',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('[a] prod 6000 app true');
  });

  it('a wrong module argument type: the task fails naming function, argument, types and line', async () => {
    const dir = writeFiles({ 'w.sloth': 'task("a"):command(function()\n  fs.write({}, "x")\nend)' });
    const r = await runCli(['workflow', 'run', '-f', join(dir, 'w.sloth')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/w\.sloth:2: fs\.write: argument #1 \(path\): expected string, got table/);
  });

  it('an unknown flag or a bad --output value: exit 2', async () => {
    const dir = writeFiles({ 'w.sloth': OK_TASK });
    expect((await runCli(['workflow', 'run', '-f', join(dir, 'w.sloth'), '--nope'])).code).toBe(2);
    const bad = await runCli(['workflow', 'run', '-f', join(dir, 'w.sloth'), '--output', 'xml']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--output');
  });

  it('an unknown command or topic: exit 2, our error, the nearest command when one is plausible', async () => {
    const cases: [string[], string, string][] = [
      [['wrkflow'], "error: unknown command 'wrkflow' (did you mean 'workflow'?)", 'sloth-runner workflow --help'],
      [
        ['wrkflow', 'run', '-f', 'x.sloth'],
        "error: unknown command 'wrkflow run' (did you mean 'workflow run'?)",
        'sloth-runner workflow run --help',
      ],
      [
        ['workflow', 'lsit'],
        "error: unknown command 'workflow lsit' (did you mean 'workflow list'?)",
        'sloth-runner workflow list --help',
      ],
      [['workflow', 'zzzzzz'], "error: unknown command 'workflow zzzzzz'\n", 'sloth-runner workflow --help'],
      [
        ['valdiate', '-f', 'x.sloth'],
        "error: unknown command 'valdiate' (did you mean 'validate'?)",
        'sloth-runner validate --help',
      ],
      [['zz'], "error: unknown command 'zz'\n", 'sloth-runner --help'],
    ];
    for (const [args, error, help] of cases) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toContain(error);
      expect(r.stderr, args.join(' ')).toContain(`hint: see \`${help}\``);
      expect(r.stderr).not.toContain('not found');
    }
  });

  it('a mistyped flag gets the nearest flag; a missing required one says how to give it', async () => {
    const typo = await runCli(['workflow', 'run', '--fil', 'x.sloth']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('error: unknown flag --fil (did you mean --file?)');
    const far = await runCli(['validate', '-f', 'x.sloth', '--zz']);
    expect(far.stderr).toContain('error: unknown flag --zz\n');
    for (const command of [['workflow', 'list'], ['workflow', 'preview'], ['workflow', 'run'], ['validate']]) {
      const r = await runCli(command);
      expect(r.code, command.join(' ')).toBe(2);
      expect(r.stderr, command.join(' ')).toMatch(
        new RegExp(`^error: ${command.join(' ')} needs -f FILE\n {2}hint: see \`sloth-runner ${command.join(' ')} --help\`\n`),
      );
    }
    const args = await runCli(['master', 'add']);
    expect(args.code).toBe(2);
    expect(args.stderr).toContain('error: master add needs NAME ADDRESS\n');
  });

  it('a failing task: exit 1 and the summary says why', async () => {
    const dir = writeFiles({ 'w.sloth': 'task("a"):command("echo about to fail; exit 3")' });
    const r = await runCli(['workflow', 'run', '-f', join(dir, 'w.sloth')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('[a] about to fail');
    expect(r.stdout).toContain('exited with code 3');
    expect(r.stdout).toMatch(/✗ workflow 'w' failed/);
  });

  it('a wrong argument type fails once despite retries, its code in --output json; a plain error is retried', async () => {
    const dir = writeFiles({
      'w.sloth': [
        'task("bad_arg"):retries(3, "fixed", "10ms"):command(function()',
        '  fs.append("bad_arg.attempts", "x\\n")',
        '  fs.write(42, "content")',
        'end)',
        'task("flaky"):retries(2, "fixed", "10ms"):command(function()',
        '  fs.append("flaky.attempts", "x\\n")',
        '  error("not yet")',
        'end)',
        'workflow.define("w", { tasks = { "bad_arg", "flaky" }, config = { fail_fast = false } })',
      ].join('\n'),
    });
    const r = await runCli(['workflow', 'run', '-f', join(dir, 'w.sloth'), '--output', 'json'], { cwd: dir });
    expect(r.code).toBe(1);
    const { bad_arg, flaky } = JSON.parse(r.stdout).tasks;
    expect(bad_arg).toMatchObject({
      status: 'failed',
      attempts: 1,
      error_code: 'invalid_argument',
      error_location: 'w.sloth:3',
    });
    expect(bad_arg.error).toContain('w.sloth:3: fs.write: argument #1 (path): expected string, got number');
    expect(bad_arg.error_hint).toMatch(/^usage: fs\.write\(/);
    expect(readFileSync(join(dir, 'bad_arg.attempts'), 'utf8')).toBe('x\n');
    expect(flaky).toMatchObject({ status: 'failed', attempts: 3, error_code: 'task_failed' });
    expect(flaky).not.toHaveProperty('error_hint');
    expect(readFileSync(join(dir, 'flaky.attempts'), 'utf8')).toBe('x\nx\nx\n');
    expect(r.stderr).toContain('not retried: invalid_argument errors fail the same way on every attempt');
  });

  it('an infinite Lua loop is stopped by its timeout: exit 1, status timeout', async () => {
    const dir = writeFiles({ 'w.sloth': 'task("spin"):timeout("500ms"):command(function() while true do end end)' });
    const r = await runCli(['workflow', 'run', '-f', join(dir, 'w.sloth'), '--output', 'json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).tasks.spin).toMatchObject({ status: 'timeout', error: 'timed out after 500ms' });
  });

  it('a delegated task is refused before anything runs (no master in this build)', async () => {
    const dir = writeFiles({
      'w.sloth': 'task("first"):command("touch ran")\ntask("remote"):delegate_to("agent1"):command("true")',
    });
    const r = await runCli(['workflow', 'run', '-f', join(dir, 'w.sloth')], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("task 'remote' is delegated to agent1");
    expect(r.stderr).toMatch(/w\.sloth:2/);
    const { existsSync } = await import('node:fs');
    expect(existsSync(join(dir, 'ran'))).toBe(false);
  });

  it('a task that prints 100 MB is streamed and its captured output truncated, without crashing', async () => {
    const dir = writeFiles({
      'w.sloth': 'task("loud"):command("head -c 100000000 /dev/zero | tr \'\\\\0\' a | fold -w 100; echo; echo done")',
    });
    const r = await runCli(['workflow', 'run', '-f', join(dir, 'w.sloth'), '--output', 'json'], { timeoutMs: 120_000 });
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.tasks.loud.status).toBe('success');
    expect(report.tasks.loud.output.stdout).toContain('[output truncated: only the first');
    expect(r.stderr.length).toBeGreaterThan(100_000_000);
    expect(r.stderr).toContain('[loud] done');
  }, 150_000);
});
