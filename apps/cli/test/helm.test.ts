import { describe, expect, it } from 'vitest';
import { fakeHelm } from '../../../packages/modules/helm/src/fake-helm.test-helper.js';
import { runTaskJson, writeFiles } from './cli.test-helper.js';

const WORKFLOW = `task("release"):command(function()
  local r = helm.upgrade({
    release = "web", chart = "bitnami/nginx", version = "18.2.0", namespace = "web",
    values = { replicaCount = 2, service = { type = "ClusterIP" } },
  })
  if not r.success then error(r.error) end
  return true, "released", { changed = r.changed, revision = r.revision }
end):build()
`;

describe('helm from Lua (fake helm CLI, real sloth-runner)', () => {
  it('helm.upgrade installs with Lua values, a rerun changes nothing, --check installs nothing', async () => {
    const fake = fakeHelm();
    const run = (dir: string, ...extra: string[]) =>
      runTaskJson(dir, 'release.sloth', 'release', { SLOTH_HELM_BIN: fake.bin }, ...extra);
    const dir = writeFiles({ 'release.sloth': WORKFLOW });
    expect(await run(dir)).toMatchObject({ changed: true, output: { changed: true, revision: 1 } });
    expect(await run(dir)).toMatchObject({ changed: false, output: { changed: false, revision: 1 } });
    const edited = writeFiles({ 'release.sloth': WORKFLOW.replace('replicaCount = 2', 'replicaCount = 3') });
    expect(await run(edited, '--check')).toMatchObject({ changed: true, output: { changed: true, revision: 1 } });
    expect(fake.calls().at(-1)).toContain('--dry-run');
    expect(await run(dir)).toMatchObject({ changed: false, output: { revision: 1 } });
  });
});
