import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bareRepo, pushCommit, sh } from '../../../packages/modules/git/src/git.test-helper.js';
import { startSshd } from '../../../packages/ssh/src/sshd.test-helper.js';
import { runCli, TEST_SLOTH_HOME, writeFiles } from './cli.test-helper.js';

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

describe('git over SSH (a real sshd on 127.0.0.1)', () => {
  it('clones with a key, pushes a commit and a tag back, and fails fast without a credential', async () => {
    const sshd = await startSshd(1);
    try {
      const r = bareRepo();
      const url = `ssh://root@127.0.0.1:${sshd.ports[0]}${r.bare}`;
      const dest = mkdtempSync(join(tmpdir(), 'sloth-git-ssh-'));
      // A fresh HOME: no key of the user's; the host is recorded in the data directory's known_hosts (accept-new).
      const home = writeFiles({ '.ssh/.keep': '' });
      const dir = writeFiles({
        'wf.sloth': `task("t"):command(function()
  local repo = git.clone("${url}", "${dest}/app", { key_file = "${sshd.keyFile}" })
  local again = git.clone("${url}", "${dest}/app", { key_file = "${sshd.keyFile}" })
  fs.write("${dest}/app/README", "v3\\n")
  local c = git.commit(repo, "update README", { all = true, author = "Sloth <sloth@example.com>" })
  git.tag(repo, "v2")
  local p = git.push(repo, { tags = true, key_file = "${sshd.keyFile}" })
  return true, "ok", { first = repo.changed, again = again.changed, committed = c.changed, pushed = p.changed }
end):build()
`,
        'nokey.sloth': `task("t"):command(function()\n  git.clone("${url}", "${dest}/other")\nend):build()\n`,
      });
      const env = { HOME: home, SSH_AUTH_SOCK: '', GIT_COMMITTER_NAME: 'Sloth', GIT_COMMITTER_EMAIL: 'sloth@example.com' };
      const run = await runCli(['workflow', 'run', '-f', 'wf.sloth', '-o', 'json'], { cwd: dir, env, timeoutMs: 90_000 });
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(JSON.parse(run.stdout).tasks.t.output).toEqual({ first: true, again: false, committed: true, pushed: true });
      expect(sh(r.bare, 'log', '-1', '--format=%s', 'main')).toBe('update README');
      expect(sh(r.bare, 'tag', '--list', 'v2')).toBe('v2');
      // ssh hashes the name (Debian's default); the ssh module reads such lines too.
      const hostKey = readFileSync(`${sshd.hostKeyFile}.pub`, 'utf8').split(' ')[1] as string;
      expect(readFileSync(join(TEST_SLOTH_HOME, 'known_hosts'), 'utf8')).toContain(hostKey);

      const started = Date.now();
      const nokey = await runCli(['workflow', 'run', '-f', 'nokey.sloth'], { cwd: dir, env, timeoutMs: 60_000 });
      expect(nokey.code).toBe(1);
      expect(nokey.stdout + nokey.stderr).toMatch(/nokey\.sloth:2: git\.clone: .*Permission denied \(publickey\)/);
      // No prompt waited on: well inside the runCli bound above.
      expect(Date.now() - started).toBeLessThan(60_000);
    } finally {
      await sshd.close();
    }
  });
});
