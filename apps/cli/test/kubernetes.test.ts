import { describe, expect, it } from 'vitest';
import { fakeKubectl } from '../../../packages/modules/kubernetes/src/fake-kubectl.test-helper.js';
import { runCli, runTaskJson, writeFiles } from './cli.test-helper.js';

const WORKFLOW = `task("deploy"):command(function()
  local r = kubernetes.apply({ namespace = "prod", manifest = {
    apiVersion = "apps/v1", kind = "Deployment",
    metadata = { name = "web" }, spec = { replicas = 2 },
  } })
  if not r.success then error(r.error) end
  local d = kubernetes.get("deployment", "web", { namespace = "prod" })
  return true, "deployed", { changed = r.changed, replicas = d and d.spec.replicas, action = r.objects[1] and r.objects[1].action }
end):build()
`;

describe('kubernetes from Lua (fake kubectl CLI, real sloth-runner)', () => {
  it('apply of a Lua manifest creates, then is unchanged; --check runs kubectl diff only', async () => {
    const fake = fakeKubectl();
    const dir = writeFiles({ 'deploy.sloth': WORKFLOW });
    const run = (...extra: string[]) => runTaskJson(dir, 'deploy.sloth', 'deploy', { SLOTH_KUBECTL_BIN: fake.bin }, ...extra);
    expect(await run()).toMatchObject({ changed: true, output: { changed: true, replicas: 2, action: 'created' } });
    expect(await run()).toMatchObject({ changed: false, output: { changed: false, action: 'unchanged' } });
    const applies = fake.calls().filter((a) => a.includes('apply')).length;
    const check = await run('--check');
    expect(check.output.changed).toBe(false);
    expect(fake.calls().at(-2)).toEqual(['--namespace', 'prod', 'diff', '-f', '-']);
    expect(fake.calls().filter((a) => a.includes('apply'))).toHaveLength(applies);
  });

  it('kubectl output that is not JSON fails the task at the Lua line, showing what it printed', async () => {
    const fake = fakeKubectl();
    const dir = writeFiles({ 'deploy.sloth': WORKFLOW });
    const r = await runCli(['workflow', 'run', '-f', 'deploy.sloth', '--output', 'json'], {
      cwd: dir,
      env: { SLOTH_KUBECTL_BIN: fake.bin, FAKE_KUBECTL_GARBAGE: '1' },
    });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).tasks.deploy.error).toMatch(/^deploy\.sloth:7: kubernetes\.get: kubectl get printed no JSON/);
  });
});
