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
import { parseRefs, repoFacts, repoParam, repoPath } from './repo.js';

const commitOptions = strictTable({
  all: z.boolean().optional(),
  author: z
    .string()
    .regex(/^[^<>]+ <[^<>]+>$/, 'expected "Name <email>"')
    .optional(),
});

/** The files a commit would take: staged ones, or with `all` every tracked file that changed. */
async function pendingFiles(ctx: ModuleCallContext, path: string, all: boolean): Promise<string[]> {
  const out = (await git(ctx, ['status', '--porcelain=v1', '-z'], { cwd: path })).stdout;
  const files: string[] = [];
  const entries = out.split('\0');
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i] as string;
    if (e.length < 4) continue;
    const [x, y, name] = [e[0], e[1], e.slice(3)];
    if (x === 'R' || x === 'C') i += 1; // a rename is followed by its old name
    if (x === '?' || x === '!') continue;
    if (x !== ' ' || (all && y !== ' ')) files.push(name);
  }
  return files;
}

const commitResource = defineResource({
  type: 'git_commit',
  desired: z.object({ message: z.string(), all: z.boolean(), author: z.string().optional() }),
  async read(ctx, path) {
    return { files: await pendingFiles(ctx, path, false), all: await pendingFiles(ctx, path, true) };
  },
  diff: (desired, actual): Changes => {
    const files = desired.all ? actual?.all : actual?.files;
    return files && files.length > 0 ? { files: { old: undefined, new: files } } : {};
  },
  async apply(ctx, path, _changes, desired) {
    const author = desired.author !== undefined ? [`--author=${desired.author}`] : [];
    await git(ctx, ['commit', '-q', ...(desired.all ? ['-a'] : []), ...author, '-m', desired.message], { cwd: path });
  },
});

export const commit = fn({
  doc:
    'Commits what is staged (with all = true, every change to tracked files, as git commit -a). Nothing to commit ' +
    'is no error: changed = false and no commit is made. Committer identity comes from git config (user.name, ' +
    'user.email) or the GIT_COMMITTER_* variables; author = "Name <email>" sets the author.',
  args: [
    repoParam,
    arg('message', z.string().min(1, 'expected a commit message')),
    arg('opts', luaTable(commitOptions).optional(), '{ all, author }'),
  ],
  returns: 'table: changed, changes ({ files = { new = {...} } }), check_mode, path, commit',
  examples: [
    'fs.write("/srv/config/app.yaml", yaml.encode(values.app))\ngit.commit("/srv/config", "app config from sloth", { all = true })',
  ],
  run: async ([repo, message, opts], ctx) => {
    const path = repoPath(ctx, repo);
    await repoFacts(ctx, path);
    const outcome = await converge(commitResource, path, { message, all: opts?.all === true, author: opts?.author }, ctx);
    return changeResult(outcome, { path, commit: (await repoFacts(ctx, path)).commit });
  },
});

const pushOptions = strictTable({
  remote: z.string().min(1).optional(),
  branch: z.string().min(1).optional(),
  tags: z.boolean().optional(),
  key_file: z.string().min(1).optional(),
});

/** The tags a remote lacks or has at another object than this clone. */
async function tagsToPush(ctx: ModuleCallContext, path: string, remote: string, keyFile?: string): Promise<string[]> {
  const theirs = parseRefs(await gitOut(ctx, ['ls-remote', '--tags', remote], { cwd: path, keyFile }), '\t');
  const ours = parseRefs(
    await gitOut(ctx, ['for-each-ref', '--format=%(objectname) %(refname)', 'refs/tags/'], { cwd: path }),
    ' ',
  );
  return Object.entries(ours)
    .filter(([ref, id]) => theirs[ref] !== id)
    .map(([ref]) => ref.replace(/^refs\/tags\//, ''));
}

interface PushTarget {
  path: string;
  remote: string;
  branch: string;
  tags: boolean;
  keyFile: string | undefined;
}

/** A branch (and the tags) as a remote has them, read with ls-remote; pushing makes it this clone's. */
function pushResource(t: PushTarget) {
  return defineResource({
    type: 'git_push',
    desired: z.object({ commit: z.string(), tags: z.array(z.string()) }),
    async read(ctx) {
      const line = await gitOut(ctx, ['ls-remote', t.remote, `refs/heads/${t.branch}`], { cwd: t.path, keyFile: t.keyFile });
      const missing = t.tags ? await tagsToPush(ctx, t.path, t.remote, t.keyFile) : [];
      return { commit: line.split('\t')[0] || undefined, missing };
    },
    diff: (desired, actual): Changes => {
      const changes: Changes = {};
      if (actual?.commit !== desired.commit) changes.commit = { old: actual?.commit, new: desired.commit };
      if (actual && actual.missing.length > 0) changes.tags = { old: undefined, new: actual.missing };
      return changes;
    },
    async apply(ctx, _name, changes) {
      const options = { cwd: t.path, keyFile: t.keyFile, live: true };
      if (changes.commit)
        await git(ctx, ['push', '--porcelain', t.remote, `refs/heads/${t.branch}:refs/heads/${t.branch}`], options);
      if (changes.tags) await git(ctx, ['push', '--porcelain', '--tags', t.remote], options);
    },
  });
}

export const push = fn({
  doc:
    "Pushes a branch (default: the current one) to a remote (default origin), and with tags = true the clone's tags. " +
    'changed when the remote did not have that commit (or a tag); a rejected push (the remote moved on) is an error, ' +
    'never a force push. In check mode, the remote is read with ls-remote and nothing is sent.',
  args: [repoParam, arg('opts', luaTable(pushOptions).optional(), '{ remote, branch, tags, key_file }')],
  returns:
    'table: changed, changes ({ commit = { old, new }, tags = { new = {...} } }), check_mode, path, remote, branch, commit',
  examples: [
    'git.commit(repo, "release 1.2.0", { all = true })\ngit.tag(repo, "v1.2.0", { message = "release 1.2.0" })\ngit.push(repo, { tags = true })',
  ],
  run: async ([repo, opts], ctx) => {
    const path = repoPath(ctx, repo);
    const facts = await repoFacts(ctx, path);
    const remote = opts?.remote ?? 'origin';
    const branch = opts?.branch ?? facts.branch;
    if (branch === undefined) {
      throw new SlothError('conflict', `${ctx.fn}: ${path} is not on a branch (HEAD is detached)`, {
        hint: 'name the branch to push with { branch = "main" }',
      });
    }
    const commit = await gitOut(ctx, ['rev-parse', '--verify', `refs/heads/${branch}^{commit}`], { cwd: path });
    const target = { path, remote, branch, tags: opts?.tags === true, keyFile: opts?.key_file };
    const outcome = await converge(pushResource(target), `${path} -> ${remote}/${branch}`, { commit, tags: [] }, ctx);
    return changeResult(outcome, { path, remote, branch, commit });
  },
});

const tagOptions = strictTable({
  message: z.string().min(1).optional(),
  ref: z.string().min(1).optional(),
  force: z.boolean().optional(),
});

const tagResource = defineResource({
  type: 'git_tag',
  desired: z.object({
    commit: z.string(),
    message: z.string().optional(),
    force: z.boolean(),
    path: z.string(),
    tag: z.string(),
  }),
  async read(ctx, name) {
    const [path, tag] = name.split('#') as [string, string];
    const r = await git(ctx, ['rev-parse', '--verify', '-q', `refs/tags/${tag}^{commit}`], { cwd: path, mayFail: true });
    return r.exitCode === 0 ? { commit: r.stdout.trim() } : undefined;
  },
  diff: (desired, actual): Changes =>
    actual?.commit === desired.commit ? {} : { commit: { old: actual?.commit, new: desired.commit } },
  async apply(ctx, _name, _changes, desired) {
    const annotate = desired.message !== undefined ? ['-a', '-m', desired.message] : [];
    await git(ctx, ['tag', ...annotate, ...(desired.force ? ['-f'] : []), desired.tag, desired.commit], { cwd: desired.path });
  },
});

export const tag = fn({
  doc:
    'Makes tag NAME point at ref (default HEAD); annotated with message. A tag already there is changed = false; one ' +
    'at another commit is an error unless force = true (tags are meant not to move).',
  args: [
    repoParam,
    arg('name', z.string().regex(/^[^\s~^:?*[\\]+$/, 'expected a tag name without spaces or ~^:?*[\\')),
    arg('opts', luaTable(tagOptions).optional(), '{ message, ref, force }'),
  ],
  returns: 'table: changed, changes ({ commit = { old, new } }), check_mode, path, name, commit',
  examples: ['git.tag(repo, "v1.2.0", { message = "release 1.2.0" })'],
  run: async ([repo, name, opts], ctx) => {
    const path = repoPath(ctx, repo);
    await repoFacts(ctx, path);
    const commit = await gitOut(ctx, ['rev-parse', '--verify', `${opts?.ref ?? 'HEAD'}^{commit}`], { cwd: path });
    const id = `${path}#${name}`;
    const existing = await tagResource.read(ctx, id);
    if (existing && existing.commit !== commit && !opts?.force) {
      throw new SlothError(
        'conflict',
        `${ctx.fn}: tag '${name}' already points at ${existing.commit.slice(0, 12)}, not ${commit.slice(0, 12)}`,
        {
          hint: 'tags are meant not to move: use a new name, or force = true to move it',
        },
      );
    }
    const outcome = await converge(
      tagResource,
      id,
      { commit, message: opts?.message, force: opts?.force === true, path, tag: name },
      ctx,
    );
    return changeResult(outcome, { path, name, commit });
  },
});
