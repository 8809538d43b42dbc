import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, runCli, writeFiles } from './cli.test-helper.js';

const hasGo = (() => {
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** True when a Docker daemon answers here (not only the docker client being installed). */
const hasDockerDaemon = (() => {
  try {
    execFileSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
})();

/**
 * A directory of stand-ins for tools a deployment needs (docker, kubectl): each records its arguments in
 * calls.log and answers as the real tool does; `fail` makes one exit 1. Put first on the PATH.
 */
function fakeTools(fail: string[] = []): { bin: string; calls: () => string[] } {
  const script = (tool: string, answer: string) =>
    `#!/bin/sh\necho "${tool} $*" >> "$(dirname "$0")/calls.log"\n${fail.includes(tool) ? `echo "${tool}: error: the server is unreachable" >&2; exit 1` : answer}\n`;
  const bin = writeFiles({
    docker: script('docker', 'case "$1" in info) echo 28.0.0;; build) echo "naming to docker.io/library/$3 done";; esac'),
    kubectl: script('kubectl', 'echo "kubectl $1 ok"'),
  });
  for (const tool of ['docker', 'kubectl']) chmodSync(join(bin, tool), 0o755);
  const calls = () => {
    try {
      return readFileSync(join(bin, 'calls.log'), 'utf8').trim().split('\n');
    } catch {
      return [];
    }
  };
  return { bin, calls };
}

const freshDataDir = () => mkdtempSync(join(tmpdir(), 'sloth-example-data-'));
const report = (stdout: string) => JSON.parse(stdout);
/** `workflow run WORKFLOW -f examples/FILE -o json`, with more flags and environment. */
const runJson = (workflow: string, file: string, extra: string[] = [], env: Record<string, string> = {}) =>
  runCli(['workflow', 'run', workflow, '-f', `examples/${file}`, '-o', 'json', ...extra], { env });

describe('every example in examples/ runs as the README says', () => {
  it('lists exactly the examples this test knows about (a new example needs a test)', () => {
    const files = readdirSync(join(REPO, 'examples'), { recursive: true }).filter((f) => String(f).endsWith('.sloth'));
    expect(files.map(String).sort()).toEqual(
      [
        'basic-pipeline.sloth',
        'basic_pipeline.sloth',
        'basic_pipeline_modern.sloth',
        'beginner/hello-world.sloth',
        'ci-pipeline.sloth',
        // configure-files.test.ts runs it (twice, in check mode, and delegated).
        'configure-files.sloth',
        // Needs root, apt and a package repository: configure-server.test.ts runs it.
        'configure-server.sloth',
        'conditional_execution.sloth',
        'deploy_git_terraform.sloth',
        // Needs a master and agents: delegation.test.ts runs it.
        'distributed_execution.sloth',
        'exec_test.sloth',
        'parallel_execution.sloth',
        'real-world/microservices-deploy.sloth',
        'real-world/nodejs-cicd.sloth',
        'reliability_demo.sloth',
        'simple_state_test.sloth',
        'state_management_demo.sloth',
        'fluent-task/fluent-task.sloth',
        'goroutines/parallel_data_processing.sloth',
        'goroutines/parallel_deployment.sloth',
        'goroutines/quick_goroutines.sloth',
        'hello-world-modern.sloth',
        'hello-world.sloth',
      ].sort(),
    );
  });

  it('validate finds nothing wrong in any example', async () => {
    const files = readdirSync(join(REPO, 'examples'), { recursive: true }).filter((f) => String(f).endsWith('.sloth'));
    for (const file of files) {
      const r = await runCli(['validate', '-f', join('examples', String(file))]);
      expect(r.stderr, String(file)).toBe('');
      expect(r.code, String(file)).toBe(0);
    }
  });

  it('deploy_git_terraform.sloth: clones this repository and applies its terraform configuration, then changes nothing (real git, real terraform)', async () => {
    const workdir = join(mkdtempSync(join(tmpdir(), 'sloth-example-gitops-')), 'infrastructure');
    const run = async (...extra: string[]) => {
      const r = await runJson('deploy_git_terraform', 'deploy_git_terraform.sloth', [
        '-v',
        'examples/values.yaml',
        '--set',
        `workdir=${workdir}`,
        ...extra,
      ]);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      return report(r.stdout);
    };
    const first = await run();
    expect(first.tasks.clone_repo).toMatchObject({ status: 'success', changed: true });
    expect(first.tasks.deploy_terraform).toMatchObject({ status: 'success', changed: true });
    expect(first.tasks.deploy_terraform.output.server).toEqual({
      environment: 'production',
      instance_type: 't3.small',
      region: 'us-west-2',
    });
    const second = await run();
    expect(second.tasks.clone_repo.changed).toBe(false);
    expect(second.tasks.deploy_terraform).toMatchObject({ status: 'success', changed: false });
    const check = await run('--check', '--set', 'terraform.region=eu-west-1');
    expect(check.tasks.deploy_terraform.changes.map((c: { function: string }) => c.function)).toEqual(['create_tfvars']);
  });

  it('hello-world.sloth: the README hello world', async () => {
    const r = await runCli(['workflow', 'run', 'hello_world_workflow', '-f', 'examples/hello-world.sloth']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('[say_hello] 🌟 Hello World from Sloth Runner!');
    expect(r.stdout).toContain('[say_hello] 💬 Message: Hello World');
    expect(r.stdout).toContain("✓ workflow 'hello_world_workflow' succeeded");
    expect(r.stdout).toContain("recorded in stack 'hello_world_workflow' (no resources registered)");
  });

  it('hello-world-modern.sloth: the quick-start hello, through the legacy `run` alias', async () => {
    const r = await runCli(['run', 'hello_world', '-f', 'examples/hello-world-modern.sloth']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('[say_hello] 🚀 Hello from Modern DSL!');
  });

  it('ci-pipeline.sloth: shell commands, a retried step and a parallel fan-in', async () => {
    const r = await runCli([
      'workflow',
      'run',
      'ci',
      '-f',
      'examples/ci-pipeline.sloth',
      '--output',
      'json',
      '--param',
      'branch=feature-x',
    ]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.status).toBe('success');
    expect(report.tasks.flaky_check).toMatchObject({ status: 'success', attempts: 2 });
    expect(report.tasks.report.output).toEqual({ checks: 3, branch: 'feature-x' });
    expect(r.stderr).toContain('[report] lint: lint ok');
    expect(r.stderr).toContain('[report] tests: 3 tests passed');
  });

  it('basic-pipeline.sloth: data flows through deps, and the last task stores it with state.set', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sloth-basic-pipeline-'));
    const r = await runCli([
      'workflow',
      'run',
      'data_pipeline',
      '-f',
      'examples/basic-pipeline.sloth',
      '--output',
      'json',
      '--data-dir',
      dataDir,
    ]);
    const report = JSON.parse(r.stdout);
    expect(report.tasks.fetch_data.status).toBe('success');
    expect(report.tasks.process_data.output).toEqual({ processed_data: 'processed_api_data' });
    expect(r.stderr).toContain('[store_result] 💾 Storing result: processed_api_data');
    expect(report.tasks.store_result.status).toBe('success');
    expect(r.code).toBe(0);
    const stored = await runCli(['state', 'get', 'last_result', '--data-dir', dataDir, '--output', 'json']);
    expect(stored.code).toBe(0);
    const entry = JSON.parse(stored.stdout);
    expect(entry.value).toBe('processed_api_data');
    // state.set("last_result", final_data, 3600): a one-hour TTL.
    expect(entry.ttl).toBeGreaterThan(3500);
    expect(entry.ttl).toBeLessThanOrEqual(3600);
  });

  it('goroutines/parallel_deployment.sloth: 6 servers deployed in parallel, logs under the task', async () => {
    const r = await runCli(['workflow', 'run', 'parallel_deployment', '-f', 'examples/goroutines/parallel_deployment.sloth']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const name of ['web-01', 'web-02', 'web-03', 'api-01', 'api-02', 'db-01']) {
      expect(r.stdout).toContain(`[deploy_multi_server] 📦 Deploying to ${name}`);
      expect(r.stdout).toContain(`[deploy_multi_server]   → ${name}: Running health checks...`);
      expect(r.stdout).toMatch(
        new RegExp(`\\[deploy_multi_server\\] ✅ ${name} → Deployed successfully at \\d{4}-\\d\\d-\\d\\d `),
      );
    }
    expect(r.stdout).toContain('[deploy_multi_server] 📈 Summary: 6 successful, 0 failed');
  });

  it('goroutines/quick_goroutines.sloth: the README quick try, with go.create, os.execute and go.wait_all', async () => {
    const r = await runCli(['run', '-f', 'examples/goroutines/quick_goroutines.sloth']);
    expect(r.code).toBe(0);
    for (let i = 1; i <= 5; i++) {
      expect(r.stdout).toContain(`[quick_goroutine_demo]   ⚡ Operation ${i} running in parallel!`);
      expect(r.stdout).toContain(`[quick_goroutine_demo]   📦 Result from operation ${i}`);
    }
  });

  it('goroutines/parallel_data_processing.sloth: chunks processed in goroutines and merged', async () => {
    const r = await runCli(['workflow', 'run', '-f', 'examples/goroutines/parallel_data_processing.sloth', '-o', 'json']);
    expect(r.code).toBe(0);
    const task = JSON.parse(r.stdout).tasks.parallel_data_processing;
    expect(task.output).toEqual({ count: 1000, sum_of_squares: 333833500, max: 1000, failed_chunks: 0 });
    expect(r.stderr).toContain('[parallel_data_processing] Processing chunk 10');
  });

  it(`fluent-task.sloth: exec.run result decides success; ${hasGo ? 'go builds the app' : 'without Go it fails after 3 retries, saying why'}`, async () => {
    const r = await runCli(['workflow', 'run', '-f', 'fluent-task.sloth', '--output', 'json'], {
      cwd: join(REPO, 'examples/fluent-task'),
    });
    const report = JSON.parse(r.stdout);
    if (hasGo) {
      expect(report.tasks.build_application.status).toBe('success');
      expect(r.code).toBe(0);
    } else {
      expect(report.tasks.build_application).toMatchObject({ status: 'failed', attempts: 4 });
      expect(report.tasks.build_application.error).toMatch(/go: (command )?not found/);
      expect(r.code).toBe(1);
    }
  }, 60_000);

  it('beginner/hello-world.sloth: a param, an output, a hook reading it', async () => {
    const r = await runCli([
      'workflow',
      'run',
      'hello_world',
      '-f',
      'examples/beginner/hello-world.sloth',
      '--param',
      'name=Ada',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('[say_hello] 👋 Hello, Ada!');
    expect(r.stdout).toContain('[say_hello] ✅ Output greeting: Hello, Ada!');
    const plain = await runJson('hello_world', 'beginner/hello-world.sloth');
    expect(report(plain.stdout).tasks.say_hello.output).toEqual({ greeting: 'Hello, World!', name: 'World' });
  });

  it('simple_state_test.sloth: values, a TTL and a counter that goes up from run to run', async () => {
    const dataDir = freshDataDir();
    const run = () => runJson('simple_state_test', 'simple_state_test.sloth', ['--data-dir', dataDir]);
    const first = await run();
    expect(first.code).toBe(0);
    expect(report(first.stdout).tasks.write_state.output).toEqual({ runs: 1 });
    expect(first.stderr).toContain('[read_state] 📖 config: 3 replicas in eu-west-1');
    expect(first.stderr).toContain('[read_state] ⏳ session expires in 60s');
    expect(first.stderr).toContain('[read_state] 🤷 a missing key gives: default value');
    const second = await run();
    expect(report(second.stdout).tasks.write_state.output).toEqual({ runs: 2 });
    expect(report(second.stdout).tasks.cleanup.output.keys).toEqual([
      'simple_state_test.config',
      'simple_state_test.greeting',
      'simple_state_test.runs',
    ]);
    const stored = await runCli(['state', 'get', 'simple_state_test.runs', '--data-dir', dataDir, '-o', 'json']);
    expect(JSON.parse(stored.stdout).value).toBe(2);
  });

  it('exec_test.sloth: shell strings, argument lists, env, workdir, stdin, a failure and a timeout', async () => {
    const r = await runJson('exec_test', 'exec_test.sloth');
    expect(r.code).toBe(0);
    const tasks = report(r.stdout).tasks;
    expect(tasks.shell_string.output).toEqual({ sorted: 'a b c' });
    expect(tasks.argument_list.output).toEqual({ stdout: '$HOME; not a variable' });
    expect(tasks.env_and_workdir.output.stdout).toBe(`hi from ${tasks.env_and_workdir.output.dir}`);
    expect(tasks.stdin.output).toEqual({ lines: 3 });
    expect(tasks.failing_command.output).toEqual({ exit_code: 3, success: false });
    expect(r.stderr).toContain(
      "exit code 3, success = false, error: command `echo 'disk full' >&2; exit 3` exited with code 3: disk full",
    );
    expect(tasks.command_timeout.output).toEqual({ timed_out: true });
    expect(tasks.return_the_result.output).toMatchObject({ success: true, exit_code: 0, stdout: 'Linux\n' });
  });

  it('basic_pipeline.sloth: a CSV extracted, summed per region, written as a JSON report', async () => {
    const workdir = freshDataDir();
    const r = await runCli([
      'workflow',
      'run',
      'basic_pipeline',
      '-f',
      'examples/basic_pipeline.sloth',
      '--param',
      `workdir=${workdir}`,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('[transform] 🔧 totals: {"apac":310,"eu":162.75,"us":99.75}');
    expect(JSON.parse(readFileSync(join(workdir, 'report.json'), 'utf8'))).toEqual({
      totals: { apac: 310, eu: 162.75, us: 99.75 },
      source: join(workdir, 'orders.csv'),
    });
  });

  it('parallel_execution.sloth: three checks meet (so they ran at once), then a fan-in with goroutine.map', async () => {
    const meeting = join(freshDataDir(), 'meeting');
    const r = await runJson('parallel_execution', 'parallel_execution.sloth', [], { PARALLEL_MEETING_DIR: meeting });
    expect(r.code, r.stderr).toBe(0);
    const tasks = report(r.stdout).tasks;
    for (const name of ['lint', 'unit_tests', 'security_scan']) {
      expect(tasks[name].output).toEqual({ met: 3 });
      expect(r.stderr).toContain(`[${name}] 🤝 ${name} met the other two checks`);
    }
    expect(tasks.aggregate.output).toEqual({ checks: 3, scores: ['api=30', 'web=30', 'worker=60', 'cli=30', 'docs=40'] });
    expect(readdirSync(meeting).sort()).toEqual(['lint', 'security_scan', 'unit_tests']);
  });

  it('conditional_execution.sloth: run_if picks the deploy, a skipped one does not block, abort_if stops the run', async () => {
    const run = (...extra: string[]) => runJson('conditional_execution', 'conditional_execution.sloth', [...extra]);
    const staging = await run();
    expect(staging.code).toBe(0);
    let tasks = report(staging.stdout).tasks;
    expect(tasks.deploy_staging.status).toBe('success');
    expect(tasks.deploy_production).toMatchObject({
      status: 'skipped',
      skip_reason: 'condition',
      message: 'run_if returned false',
    });
    expect(tasks.smoke_test.output).toEqual({ url: 'https://staging.example.com' });

    const production = await run('--param', 'env=production');
    tasks = report(production.stdout).tasks;
    expect(tasks.deploy_staging.status).toBe('skipped');
    expect(tasks.smoke_test.output).toEqual({ url: 'https://www.example.com' });
    expect(production.stderr).toContain('[deploy_production] 🚀 deploying to production with 3 replicas');

    const frozen = await run('--param', 'freeze=true');
    expect(frozen.code).toBe(1);
    tasks = report(frozen.stdout).tasks;
    expect(tasks.check_change_freeze.status).toBe('aborted');
    expect(tasks.deploy_staging.status).toBe('skipped');
    expect(tasks.smoke_test.status).toBe('skipped');

    const wrong = await run('--param', 'env=qa');
    expect(wrong.code).toBe(1);
    expect(report(wrong.stdout).tasks.detect_environment.error).toBe("env must be staging or production, got 'qa'");
  });

  it('basic_pipeline_modern.sloth: an artifact handed on, a flaky upload retried, workflow hooks', async () => {
    const r = await runJson('basic_pipeline_modern', 'basic_pipeline_modern.sloth', ['--param', 'version=2.1.0']);
    expect(r.code, r.stderr).toBe(0);
    const tasks = report(r.stdout).tasks;
    expect(tasks.build.output.version).toBe('2.1.0');
    expect(tasks.verify.output).toEqual({ ran: 'app 2.1.0' });
    expect(tasks.upload).toMatchObject({ status: 'success', attempts: 3 });
    expect(r.stderr).toContain('[upload] WARN attempt 2/4 failed: registry busy (HTTP 503)');
    expect(r.stderr).toContain('🏁 pipeline starting');
    expect(r.stderr).toContain('🎉 released https://releases.example.com/app-2.1.0.tar.gz after 3 attempts');
  });

  it('state_management_demo.sloth: no increment lost across goroutines; CAS, lock, history and expiry across runs', async () => {
    const dataDir = freshDataDir();
    const run = () => runJson('state_management_demo', 'state_management_demo.sloth', ['--data-dir', dataDir]);
    const first = await run();
    expect(first.code, first.stderr).toBe(0);
    let tasks = report(first.stdout).tasks;
    expect(tasks.concurrent_counters.output).toEqual({ hits: 100 });
    expect(tasks.claim_release.output).toEqual({ version: '1.0.0', first_run_for_version: true });
    expect(tasks.deploy_with_lock.output).toEqual({ deployment: 1, history: 1 });
    expect(tasks.expiry.output).toEqual({ token: 60, config: -1, gone: -2 });
    const second = await run();
    tasks = report(second.stdout).tasks;
    expect(tasks.claim_release.output.first_run_for_version).toBe(false);
    expect(tasks.deploy_with_lock.output).toEqual({ deployment: 2, history: 2 });
    const history = await runCli(['state', 'get', 'demo.deploy.history', '--data-dir', dataDir, '-o', 'json']);
    expect(JSON.parse(history.stdout).value.map((e: { n: number }) => e.n)).toEqual([1, 2]);
  });

  it('reliability_demo.sloth: back-off retries, a circuit breaker, a deadline with fallback, an idempotent step', async () => {
    const dataDir = freshDataDir();
    const run = () => runJson('reliability_demo', 'reliability_demo.sloth', ['--data-dir', dataDir]);
    const first = await run();
    expect(first.code, first.stderr).toBe(0);
    const tasks = report(first.stdout).tasks;
    expect(tasks.call_flaky_service).toMatchObject({ status: 'success', attempts: 3, output: { attempts: 3 } });
    expect(tasks.circuit_breaker.output).toEqual({ calls: 3, short_circuited: 3 });
    expect(first.stderr).toContain('⚡ circuit opened after 3 failures');
    expect(tasks.deadline_with_fallback.output).toEqual({ price: 'cached price', timed_out: true });
    expect(tasks.idempotent_migration.output).toEqual({ applied: true });
    const second = await run();
    expect(report(second.stdout).tasks.idempotent_migration.output).toEqual({ applied: false });
    expect(second.stderr).toContain('migration v42 was applied by an earlier run: skipped');
  });

  const cicd = (env: Record<string, string>, dataDir = freshDataDir()) =>
    runJson('nodejs_cicd', 'real-world/nodejs-cicd.sloth', ['--param', 'image_tag=1.2.0', '--data-dir', dataDir], {
      NODEJS_CICD_WORKDIR: join(freshDataDir(), 'work'),
      ...env,
    });

  it(`real-world/nodejs-cicd.sloth as it is here: tests and build pass; ${hasDockerDaemon ? 'docker builds the image' : 'without a Docker daemon build_docker fails saying so and nothing deploys'}`, async () => {
    const r = await cicd({});
    const tasks = report(r.stdout).tasks;
    expect(tasks.run_tests.output).toEqual({ test_results: 'passed', passed: 2 });
    expect(tasks.build_app.status).toBe('success');
    expect(r.stderr).toContain('[build_app] built dist/ with 2 files');
    if (hasDockerDaemon) {
      expect(tasks.build_docker.status).toBe('success');
    } else {
      expect(tasks.build_docker.status).toBe('failed');
      expect(tasks.build_docker.error).toMatch(
        /^cannot build the image: (docker is not installed|.*docker).* \(install Docker and start its daemon\)$/i,
      );
      expect(tasks.deploy_app.status).toBe('skipped');
      expect(r.code).toBe(1);
    }
  });

  it("real-world/nodejs-cicd.sloth with docker and kubectl stand-ins: deploy_app's run_if reads deps.run_tests, two tasks away", async () => {
    const tools = fakeTools();
    const r = await cicd({ PATH: `${tools.bin}:${process.env.PATH}` });
    expect(r.code, r.stderr).toBe(0);
    const tasks = report(r.stdout).tasks;
    expect(tasks.build_docker.output).toEqual({ image: 'nodejs-app:1.2.0' });
    // run_tests is an ancestor of deploy_app through build_app and build_docker: its outputs reach the run_if and the body.
    expect(tasks.deploy_app).toMatchObject({ status: 'success', message: 'deployed nodejs-app:1.2.0' });
    expect(r.stderr).toContain('[deploy_app] 🚀 Deploying image: nodejs-app:1.2.0 (2 tests passed)');
    expect(tools.calls()).toEqual([
      'docker info --format {{.ServerVersion}}',
      'docker build -t nodejs-app:1.2.0 .',
      'kubectl set image deployment/nodejs-app app=nodejs-app:1.2.0',
      'kubectl rollout status deployment/nodejs-app --timeout=300s',
    ]);
    expect(r.stderr).toContain('🎉 CI/CD Pipeline completed successfully!');
    // The JSON report is each task's own: deploy_app's output holds no ancestor's.
    expect(tasks.deploy_app.output).toEqual({ image: 'nodejs-app:1.2.0' });
    expect(report(r.stdout).outputs.deploy_app).toEqual({ image: 'nodejs-app:1.2.0' });
  });

  it('real-world/nodejs-cicd.sloth: a failed deployment is rolled back by on_failure', async () => {
    const tools = fakeTools(['kubectl']);
    const r = await cicd({ PATH: `${tools.bin}:${process.env.PATH}` });
    expect(r.code).toBe(1);
    expect(report(r.stdout).tasks.deploy_app.error).toContain('kubectl: error: the server is unreachable');
    expect(r.stderr).toContain('❌ Deployment failed, rolling back...');
    expect(tools.calls().slice(-2)).toEqual([
      'kubectl set image deployment/nodejs-app app=nodejs-app:1.2.0',
      'kubectl rollout undo deployment/nodejs-app',
    ]);
  });

  it('real-world/microservices-deploy.sloth: services in dependency order, recorded in the stack, applied on request', async () => {
    const dataDir = freshDataDir();
    const out = join(dataDir, 'manifests');
    const tools = fakeTools();
    const run = (...extra: string[]) =>
      runJson('microservices_deploy', 'real-world/microservices-deploy.sloth', ['--data-dir', dataDir, ...extra], {
        MICROSERVICES_OUT: out,
        PATH: `${tools.bin}:${process.env.PATH}`,
      });
    const first = await run();
    expect(first.code, first.stderr).toBe(0);
    let tasks = report(first.stdout).tasks;
    expect(tasks.verify_rollout.output).toEqual({
      services: 5,
      summary: 'database=created,cache=created,auth=created,catalog=created,gateway=created',
    });
    expect(readFileSync(join(out, 'gateway.yaml'), 'utf8')).toContain('- name: AUTH_URL\n              value: http://auth:8080');
    expect(report(first.stdout).stack.outputs).toEqual({ gateway_url: 'http://gateway:80' });
    expect(tools.calls()).toEqual([]);

    const bumped = await run('--param', 'version=1.3.0', '--param', 'apply=true');
    expect(bumped.code, bumped.stderr).toBe(0);
    tasks = report(bumped.stdout).tasks;
    expect(tasks.verify_rollout.output.summary).toBe(
      'database=unchanged,cache=unchanged,auth=changed,catalog=changed,gateway=changed',
    );
    expect(tools.calls().sort()).toEqual(
      ['auth', 'cache', 'catalog', 'database', 'gateway'].map((s) => `kubectl apply -f ${join(out, `${s}.yaml`)}`),
    );
    const resources = await runCli(['stack', 'resources', 'microservices_deploy', '--data-dir', dataDir, '-o', 'json']);
    expect(resources.code).toBe(0);
    expect(resources.stdout).toContain('example/gateway:1.3.0');
  });
});
