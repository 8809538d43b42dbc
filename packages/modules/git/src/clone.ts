import { isAbsolute, resolve } from 'node:path';
import {
  arg,
  type Changes,
  changeResult,
  converge,
  defineResource,
  fn,
  luaTable,
  type ModuleCallContext,
  parseDuration,
  SlothError,
  strictTable,
  z,
} from '@sloth/core';
import { maskCredentials } from './credentials.js';
import { git } from './git-command.js';
import { type RemoteRef, remoteRef, remoteUrl, repoFacts } from './repo.js';

const cloneOptions = strictTable({
  branch: z.string().min(1).optional(),
  depth: z.number().int().positive().optional(),
  key_file: z.string().min(1).optional(),
  timeout: z.union([z.string(), z.number()]).optional(),
});

/** What a clone should be: this remote, at this commit (what the remote's branch or tag is on now). */
const cloneDesired = z.object({
  url: z.string(),
  ref: z.string().optional(),
  kind: z.enum(['branch', 'tag', 'head']),
  commit: z.string(),
  depth: z.number().optional(),
  keyFile: z.string().optional(),
  timeoutMs: z.number().optional(),
});
type CloneDesired = z.output<typeof cloneDesired>;

interface CloneActual {
  url: string | undefined;
  commit: string | undefined;
  branch: string | undefined;
}

/** A directory that does not exist or is empty can be cloned into (a task's fresh workdir is one). */
async function isFreeDir(ctx: ModuleCallContext, path: string): Promise<boolean> {
  const st = await ctx.host.stat(path);
  if (!st) return true;
  return st.type === 'directory' && (await ctx.host.readdir(path)).length === 0;
}

const cloneResource = defineResource({
  type: 'git_repo',
  desired: cloneDesired,
  async read(ctx, path): Promise<CloneActual | undefined> {
    if (await isFreeDir(ctx, path)) return undefined;
    const facts = await repoFacts(ctx, path).catch(() => {
      throw new SlothError('conflict', `${ctx.fn}: ${path} exists and is not a git clone`, {
        hint: 'clone into an empty or missing directory, or remove what is there',
      });
    });
    return { url: await remoteUrl(ctx, path), ...facts };
  },
  diff(desired: CloneDesired, actual: CloneActual | undefined): Changes {
    const url = maskCredentials(desired.url);
    if (!actual) return { url: { old: undefined, new: url }, commit: { old: undefined, new: desired.commit } };
    const changes: Changes = {};
    if (desired.kind === 'branch' && actual.branch !== desired.ref) changes.branch = { old: actual.branch, new: desired.ref };
    if (actual.commit !== desired.commit) changes.commit = { old: actual.commit, new: desired.commit };
    return changes;
  },
  async apply(ctx, path, changes, desired) {
    const options = { keyFile: desired.keyFile, timeoutMs: desired.timeoutMs, live: true };
    if (changes.url) {
      const depth = desired.depth !== undefined ? ['--depth', String(desired.depth)] : [];
      const branch = desired.ref !== undefined ? ['--branch', desired.ref] : [];
      await git(ctx, ['clone', ...depth, ...branch, '--', desired.url, path], options);
      return;
    }
    const depth = desired.depth !== undefined ? [`--depth=${desired.depth}`] : [];
    await git(ctx, ['fetch', '--tags', ...depth, 'origin'], { ...options, cwd: path });
    if (desired.kind === 'branch') {
      if (changes.branch) await git(ctx, ['checkout', '-q', desired.ref as string], { cwd: path });
      await git(ctx, ['merge', '-q', '--ff-only', `origin/${desired.ref}`], { cwd: path });
    } else if (desired.kind === 'head' && (await git(ctx, ['rev-parse', '@{u}'], { cwd: path, mayFail: true })).exitCode === 0) {
      await git(ctx, ['merge', '-q', '--ff-only', '@{u}'], { cwd: path });
    } else {
      await git(ctx, ['checkout', '-q', '--detach', desired.commit], { cwd: path });
    }
  },
  record: (_path, desired) => ({ url: maskCredentials(desired.url), ref: desired.ref, commit: desired.commit }),
});

export const clone = fn({
  doc:
    'Clones URL into DEST (relative: the task workdir), or, when DEST is already a clone of that URL, fetches and ' +
    'brings it to the branch or tag asked (fast-forward only: local changes are never thrown away). changed says ' +
    'whether HEAD moved (a fresh clone is a change). branch: a branch or a tag (default: the remote HEAD, or for an ' +
    'existing clone its current branch); depth: a shallow clone; key_file: an ssh key; timeout: per git command. ' +
    'Prompts are off, so a missing credential fails at once; credentials in the URL are masked everywhere. In check ' +
    'mode, the remote is read with ls-remote and nothing is fetched or written.',
  args: [
    arg(
      'url',
      z.string().min(1, 'expected the URL of a repository'),
      'https://..., ssh://..., git@host:path, file://..., or a path',
    ),
    arg('dest', z.string().min(1, 'expected a directory'), 'where the clone lives'),
    arg('opts', luaTable(cloneOptions).optional(), '{ branch, depth, key_file, timeout }'),
  ],
  returns:
    'table: changed, changes ({ url, commit, branch = { old, new } }), check_mode, path, url (credentials masked), commit, branch',
  examples: [
    'local repo = git.clone("https://github.com/company/infra", "/tmp/infra", { branch = "main", depth = 1 })\nlog.info(repo.commit)',
  ],
  run: async ([url, dest, opts], ctx) => {
    const path = isAbsolute(dest) ? dest : resolve(ctx.workdir, dest);
    const timeoutMs = opts?.timeout !== undefined ? parseDuration(opts.timeout, 'git.clone timeout') : undefined;
    const existing = await cloneResource.read(ctx, path);
    if (existing && existing.url !== url && existing.url !== undefined) {
      throw new SlothError(
        'conflict',
        `${ctx.fn}: ${path} is a clone of ${maskCredentials(existing.url)}, not of ${maskCredentials(url)}`,
        { hint: 'clone into another directory, or remove this one' },
      );
    }
    const ref = opts?.branch ?? existing?.branch;
    const source = existing ? 'origin' : url;
    const remote: RemoteRef = await remoteRef(ctx, source, ref, { cwd: existing ? path : undefined, keyFile: opts?.key_file });
    const outcome = await converge(
      cloneResource,
      path,
      { url, ref, kind: remote.kind, commit: remote.commit, depth: opts?.depth, keyFile: opts?.key_file, timeoutMs },
      ctx,
    );
    const after = ctx.checkMode ? existing : await repoFacts(ctx, path);
    return changeResult(outcome, {
      path,
      url: maskCredentials(url),
      commit: after?.commit,
      branch: after?.branch,
    });
  },
});
