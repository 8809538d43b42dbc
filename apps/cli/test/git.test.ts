import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bareRepo, pushCommit } from '../../../packages/modules/git/src/git.test-helper.js';
import { runCli, writeFiles } from './cli.test-helper.js';

// The seed's GitOps step: require("git"), clone into the task's workdir, then check out a branch.
const workflow = (url: string, workdir: string) => `
local clone_task = task("clone_infrastructure")
    :workdir("${workdir}")
    :command(function(this, params)
        local git = require("git")
        local repository = git.clone("${url}", this.workdir.get())
        git.checkout(repository, "production")
        return true, "Repository cloned successfully", { commit = git.current_commit(repository) }
    end)
    :timeout("5m")
    :build()

workflow.define("infrastructure_pipeline"):tasks({ clone_task })
`;

describe('git in a workflow (real git, local bare repository)', () => {
  it("the seed's clone into this.workdir.get(): a change the first time, none the second, and a new commit on main leaves the production checkout alone", async () => {
    const r = bareRepo();
    const workdir = join(mkdtempSync(join(tmpdir(), 'sloth-gitops-')), 'infrastructure');
    const dir = writeFiles({ 'gitops.sloth': workflow(r.url, workdir) });
    const run = async () => {
      const res = await runCli(['workflow', 'run', '-f', 'gitops.sloth', '--output', 'json'], { cwd: dir, timeoutMs: 60_000 });
      expect(res.code, res.stdout + res.stderr).toBe(0);
      return JSON.parse(res.stdout).tasks.clone_infrastructure;
    };
    const first = await run();
    expect(first).toMatchObject({ status: 'success', changed: true, output: { commit: r.production } });
    expect(first.changes.map((c: { function: string }) => c.function)).toEqual(['clone', 'checkout']);
    expect(readFileSync(join(workdir, 'prod.conf'), 'utf8')).toBe('prod\n');

    const second = await run();
    expect(second).toMatchObject({ status: 'success', changed: false });
    pushCommit(r.work, 'README', 'v2\n');
    const third = await run();
    // The clone stays on production (its current branch), which did not move.
    expect(third).toMatchObject({ changed: false, output: { commit: r.production } });
  });

  it('an unreachable remote fails the task at the caller line, naming it with its credentials masked', async () => {
    const dir = writeFiles({
      'bad.sloth': `task("t"):command(function()\n  git.clone("http://deploy:t0ken@127.0.0.1:9/x.git", "out")\nend):build()\n`,
    });
    const res = await runCli(['workflow', 'run', '-f', 'bad.sloth', '--output', 'json'], { cwd: dir, timeoutMs: 60_000 });
    expect(res.code).toBe(1);
    expect(res.stdout + res.stderr).not.toContain('t0ken');
    expect(JSON.parse(res.stdout).tasks.t.error).toMatch(
      /^bad\.sloth:2: git\.clone: git ls-remote http:\/\/\*\*\*@127\.0\.0\.1:9\/x\.git HEAD failed/,
    );
  });
});
