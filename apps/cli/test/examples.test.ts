import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, runCli } from './cli.test-helper.js';

const hasGo = (() => {
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('every example in examples/ runs as the README says', () => {
  it('lists exactly the examples this test knows about (a new example needs a test)', () => {
    const files = readdirSync(join(REPO, 'examples'), { recursive: true }).filter((f) => String(f).endsWith('.sloth'));
    expect(files.map(String).sort()).toEqual(
      [
        'basic-pipeline.sloth',
        'ci-pipeline.sloth',
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
});
