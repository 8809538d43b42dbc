import { isAbsolute, resolve } from 'node:path';
import { arg, luaTable, type ModuleCallContext, SlothError, z } from '@sloth/core';
import { maskCredentials } from './credentials.js';
import { git, gitOut } from './git-command.js';

/** A repository argument: the table git.clone returned, or a clone's path. */
export const repoArg = z.union(
  [z.string().min(1, 'expected the path of a clone'), luaTable(z.object({ path: z.string().min(1) }).loose())],
  { error: 'expected the table git.clone returned or the path of a clone' },
);

/** The `repo` argument every function but clone takes. */
export const repoParam = arg('repo', repoArg, 'the table git.clone returned, or a path');

/** The absolute path of a repository argument (relative: against the task workdir). */
export function repoPath(ctx: ModuleCallContext, repo: z.output<typeof repoArg>): string {
  const given = typeof repo === 'string' ? repo : repo.path;
  return isAbsolute(given) ? given : resolve(ctx.workdir, given);
}

/** Where a clone stands. */
export interface RepoFacts {
  commit: string | undefined;
  /** The checked-out branch; undefined when HEAD is detached (a tag, a commit). */
  branch: string | undefined;
}

/** HEAD's commit and branch of the clone at `path`; an error naming the path when it is not a clone. */
export async function repoFacts(ctx: ModuleCallContext, path: string): Promise<RepoFacts> {
  await ensureClone(ctx, path);
  const head = await git(ctx, ['rev-parse', '--verify', '-q', 'HEAD'], { cwd: path, mayFail: true });
  const branch = await git(ctx, ['symbolic-ref', '--short', '-q', 'HEAD'], { cwd: path, mayFail: true });
  return {
    commit: head.exitCode === 0 ? head.stdout.trim() : undefined,
    branch: branch.exitCode === 0 ? branch.stdout.trim() : undefined,
  };
}

/** Fails unless `path` is the top of a git work tree. */
export async function ensureClone(ctx: ModuleCallContext, path: string): Promise<void> {
  if ((await ctx.host.stat(path))?.type !== 'directory') {
    throw new SlothError('not_found', `${ctx.fn}: ${path} does not exist`, {
      hint: 'pass the path of a clone (or the table git.clone returned)',
    });
  }
  const top = await git(ctx, ['rev-parse', '--show-toplevel'], { cwd: path, mayFail: true });
  if (top.exitCode !== 0 || resolve(top.stdout.trim()) !== resolve(path)) {
    throw new SlothError('invalid_argument', `${ctx.fn}: ${path} is not a git clone`, {
      hint: 'pass the path of a clone (or the table git.clone returned)',
    });
  }
}

/** The URL of a clone's remote (credentials left in: it is handed back to git, never shown). */
export async function remoteUrl(ctx: ModuleCallContext, path: string, remote = 'origin'): Promise<string | undefined> {
  const r = await git(ctx, ['remote', 'get-url', remote], { cwd: path, mayFail: true });
  return r.exitCode === 0 ? r.stdout.trim() : undefined;
}

/** A ref as a remote has it: a branch, or a tag (peeled to its commit). */
export interface RemoteRef {
  commit: string;
  kind: 'branch' | 'tag' | 'head';
}

/**
 * Which commit `ref` (a branch or tag name; undefined: the remote's HEAD) is on the remote, read with ls-remote: a
 * fact that changes nothing, so check mode can tell what a clone, pull or checkout would move to.
 */
export async function remoteRef(
  ctx: ModuleCallContext,
  remote: string,
  ref: string | undefined,
  options: { cwd?: string | undefined; keyFile?: string | undefined } = {},
): Promise<RemoteRef> {
  const patterns = ref === undefined ? ['HEAD'] : [`refs/heads/${ref}`, `refs/tags/${ref}`, `refs/tags/${ref}^{}`];
  const out = await gitOut(ctx, ['ls-remote', remote, ...patterns], { ...options, live: false });
  const refs = new Map(
    out
      .split('\n')
      .filter((l) => l.includes('\t'))
      .map((l) => {
        const [commit, name] = l.split('\t') as [string, string];
        return [name, commit] as const;
      }),
  );
  if (ref === undefined) {
    const commit = refs.get('HEAD');
    if (commit) return { commit, kind: 'head' };
    throw new SlothError('not_found', `${ctx.fn}: ${maskCredentials(remote)} has no HEAD (an empty repository?)`, {
      hint: 'name the branch to use with branch = "..."',
    });
  }
  const branch = refs.get(`refs/heads/${ref}`);
  if (branch) return { commit: branch, kind: 'branch' };
  const tag = refs.get(`refs/tags/${ref}^{}`) ?? refs.get(`refs/tags/${ref}`);
  if (tag) return { commit: tag, kind: 'tag' };
  throw new SlothError('not_found', `${ctx.fn}: ${maskCredentials(remote)} has no branch or tag '${ref}'`, {
    hint: `\`git ls-remote ${maskCredentials(remote)}\` lists what it has`,
  });
}

/** refname -> object id, from `for-each-ref` (this clone) or `ls-remote` (the remote, mapped to where fetch puts it). */
export type RefMap = Record<string, string>;

export function parseRefs(out: string, separator: string): RefMap {
  const refs: RefMap = {};
  for (const line of out.split('\n')) {
    const [id, name] = line.split(separator);
    if (id && name && !name.endsWith('^{}')) refs[name] = id;
  }
  return refs;
}
