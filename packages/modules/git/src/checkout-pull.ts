import {
  arg,
  type Changes,
  changeResult,
  converge,
  defineResource,
  fn,
  luaTable,
  type ModuleCallContext,
  SlothError,
  strictTable,
  z,
} from '@sloth/core';
import { git, gitOut } from './git-command.js';
import { remoteRef, repoFacts, repoParam, repoPath } from './repo.js';

/** Where HEAD should be: a commit, on a branch when one is named. */
const headDesired = z.object({ commit: z.string(), branch: z.string().optional(), ref: z.string() });
type HeadDesired = z.output<typeof headDesired>;

function diffHead(
  desired: HeadDesired,
  actual: { commit?: string | undefined; branch?: string | undefined } | undefined,
): Changes {
  const changes: Changes = {};
  if (desired.branch !== undefined && actual?.branch !== desired.branch) {
    changes.branch = { old: actual?.branch, new: desired.branch };
  }
  if (actual?.commit !== desired.commit) changes.commit = { old: actual?.commit, new: desired.commit };
  return changes;
}

const checkoutResource = defineResource({
  type: 'git_checkout',
  desired: headDesired,
  read: (ctx, path) => repoFacts(ctx, path),
  diff: diffHead,
  async apply(ctx, path, _changes, desired) {
    await git(ctx, ['checkout', '-q', ...(desired.branch === undefined ? ['--detach'] : []), desired.ref], { cwd: path });
  },
});

export const checkout = fn({
  doc:
    'Checks out a branch, a tag or a commit in a clone (a branch that exists only on origin gets a local branch ' +
    'tracking it). changed when HEAD moves to another commit or branch; local changes that would be overwritten are ' +
    "git's error, never discarded.",
  args: [repoParam, arg('ref', z.string().min(1), 'branch, tag or commit')],
  returns: 'table: changed, changes ({ commit, branch = { old, new } }), check_mode, path, commit, branch',
  examples: ['local repo = git.clone("https://github.com/company/infra", "/tmp/infra")\ngit.checkout(repo, "production")'],
  run: async ([repo, ref], ctx) => {
    const path = repoPath(ctx, repo);
    await repoFacts(ctx, path);
    const desired = await resolveLocal(ctx, path, ref);
    const outcome = await converge(checkoutResource, path, desired, ctx);
    const after = await repoFacts(ctx, path);
    return changeResult(outcome, { path, commit: after.commit, branch: after.branch });
  },
});

/** What `ref` names in the clone: a local branch, a branch of origin (checked out as a local one), or a commit. */
async function resolveLocal(ctx: ModuleCallContext, path: string, ref: string): Promise<HeadDesired> {
  const verify = (name: string) => git(ctx, ['rev-parse', '--verify', '-q', `${name}^{commit}`], { cwd: path, mayFail: true });
  const local = await verify(`refs/heads/${ref}`);
  if (local.exitCode === 0) return { commit: local.stdout.trim(), branch: ref, ref };
  const remote = await verify(`refs/remotes/origin/${ref}`);
  if (remote.exitCode === 0) return { commit: remote.stdout.trim(), branch: ref, ref };
  const other = await verify(ref);
  if (other.exitCode === 0) return { commit: other.stdout.trim(), ref };
  throw new SlothError('not_found', `${ctx.fn}: no branch, tag or commit '${ref}' in ${path}`, {
    hint: 'fetch first (git.fetch(repo)) if it is new on the remote; `git branch -a` and `git tag` list what is there',
  });
}

const pullOptions = strictTable({ key_file: z.string().min(1).optional() });

const pullResource = defineResource({
  type: 'git_pull',
  desired: headDesired.extend({ keyFile: z.string().optional() }),
  read: (ctx, path) => repoFacts(ctx, path),
  diff: (desired, actual) => diffHead({ ...desired, branch: undefined }, actual),
  async apply(ctx, path, _changes, desired) {
    await git(ctx, ['fetch', 'origin'], { cwd: path, keyFile: desired.keyFile, live: true });
    await git(ctx, ['merge', '-q', '--ff-only', desired.ref], { cwd: path });
  },
});

export const pull = fn({
  doc:
    "Brings the current branch up to its upstream (fetch, then fast-forward only: a diverged branch is git's " +
    'error, never a merge commit). changed when HEAD moved. In check mode, the upstream is read with ls-remote.',
  args: [repoParam, arg('opts', luaTable(pullOptions).optional(), '{ key_file }')],
  returns: 'table: changed, changes ({ commit = { old, new } }), check_mode, path, commit, branch',
  examples: ['local r = git.pull("/srv/app")\nif r.changed then log.info("now at " .. r.commit) end'],
  run: async ([repo, opts], ctx) => {
    const path = repoPath(ctx, repo);
    const facts = await repoFacts(ctx, path);
    const upstream = await gitOut(ctx, ['rev-parse', '--abbrev-ref', '--symbolic-full-name', '@{u}'], { cwd: path }).catch(() => {
      throw new SlothError('conflict', `${ctx.fn}: ${path} is not on a branch with an upstream`, {
        hint: 'check out a branch that tracks a remote one (git.checkout(repo, "main"))',
      });
    });
    const [remote, ...rest] = upstream.split('/');
    const remoteBranch = rest.join('/');
    const theirs = await remoteRef(ctx, remote as string, remoteBranch, { cwd: path, keyFile: opts?.key_file });
    // Commits of ours not pushed yet: the upstream is behind, a fast-forward leaves HEAD where it is.
    const behind = await git(ctx, ['merge-base', '--is-ancestor', theirs.commit, 'HEAD'], { cwd: path, mayFail: true });
    const commit = behind.exitCode === 0 ? (facts.commit as string) : theirs.commit;
    const outcome = await converge(pullResource, path, { commit, ref: upstream, keyFile: opts?.key_file }, ctx);
    const after = ctx.checkMode ? facts : await repoFacts(ctx, path);
    return changeResult(outcome, { path, commit: after.commit, branch: after.branch });
  },
});
