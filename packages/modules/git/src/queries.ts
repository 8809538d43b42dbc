import { arg, fn, luaTable, strictTable, z } from '@sloth/core';
import { git, gitOut } from './git-command.js';
import { repoFacts, repoParam, repoPath } from './repo.js';

export const status = fn({
  doc: "A clone's state from git status: branch (nil when detached), commit, upstream, ahead/behind it, clean, and the staged, modified and untracked paths.",
  args: [repoParam],
  returns: 'table: branch, commit, upstream, ahead, behind, clean, staged, modified, untracked',
  examples: ['local s = git.status("/srv/app")\nif not s.clean then log.warn(#s.modified .. " files modified") end'],
  run: async ([r], ctx) => {
    const path = repoPath(ctx, r);
    await repoFacts(ctx, path);
    const out = (await git(ctx, ['status', '--porcelain=v2', '--branch', '-z'], { cwd: path })).stdout;
    const s = {
      branch: undefined as string | undefined,
      commit: undefined as string | undefined,
      upstream: undefined as string | undefined,
      ahead: 0,
      behind: 0,
      clean: true,
      staged: [] as string[],
      modified: [] as string[],
      untracked: [] as string[],
    };
    const entries = out.split('\0');
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i] as string;
      if (e.startsWith('# branch.oid ')) s.commit = e.slice(13) === '(initial)' ? undefined : e.slice(13);
      else if (e.startsWith('# branch.head ')) s.branch = e.slice(14) === '(detached)' ? undefined : e.slice(14);
      else if (e.startsWith('# branch.upstream ')) s.upstream = e.slice(18);
      else if (e.startsWith('# branch.ab ')) {
        const [a, b] = e.slice(12).split(' ');
        s.ahead = Number(a);
        s.behind = -Number(b);
      } else if (e.startsWith('? ')) s.untracked.push(e.slice(2));
      else if (e.startsWith('1 ') || e.startsWith('2 ') || e.startsWith('u ')) {
        const fields = e.split(' ');
        const xy = fields[1] as string;
        const name = fields.slice(e.startsWith('1 ') ? 8 : e.startsWith('2 ') ? 9 : 10).join(' ');
        if (e.startsWith('2 ')) i += 1; // a rename is followed by its old path
        if (xy[0] !== '.') s.staged.push(name);
        if (xy[1] !== '.') s.modified.push(name);
      }
    }
    s.clean = s.staged.length === 0 && s.modified.length === 0 && s.untracked.length === 0;
    return s;
  },
});

export const currentCommit = fn({
  doc: "The full id of the clone's HEAD commit (nil in a repository without commits).",
  args: [repoParam],
  returns: 'string or nil',
  examples: ['log.info("deploying " .. git.current_commit(repo))'],
  run: async ([r], ctx) => (await repoFacts(ctx, repoPath(ctx, r))).commit,
});

export const currentBranch = fn({
  doc: 'The checked-out branch, or nil when HEAD is detached (a tag or a commit is checked out).',
  args: [repoParam],
  returns: 'string or nil',
  examples: ['if git.current_branch(repo) ~= "main" then error("not on main") end'],
  run: async ([r], ctx) => (await repoFacts(ctx, repoPath(ctx, r))).branch,
});

const diffOptions = strictTable({ staged: z.boolean().optional(), ref: z.string().min(1).optional() });

export const diff = fn({
  doc: 'The unified diff of the working tree against the index (staged = true: the index against HEAD; ref: the working tree against that commit).',
  args: [repoParam, arg('opts', luaTable(diffOptions).optional(), '{ staged, ref }')],
  returns: 'string (empty when nothing differs)',
  examples: ['local d = git.diff(repo)\nif d ~= "" then log.info(d) end'],
  run: async ([r, opts], ctx) => {
    const path = repoPath(ctx, r);
    await repoFacts(ctx, path);
    const args = [
      'diff',
      '--no-color',
      '--no-ext-diff',
      ...(opts?.staged ? ['--cached'] : []),
      ...(opts?.ref ? [opts.ref, '--'] : []),
    ];
    return gitOut(ctx, args, { cwd: path }).then((d) => (d === '' ? '' : `${d}\n`));
  },
});
