import {
  arg,
  type Changes,
  changeResult,
  converge,
  defineResource,
  fn,
  luaTable,
  type ModuleCallContext,
  strictTable,
  z,
} from '@sloth/core';
import { git, gitOut } from './git-command.js';
import { parseRefs, type RefMap, repoFacts, repoParam, repoPath } from './repo.js';

const fetchOptions = strictTable({
  remote: z.string().min(1).optional(),
  prune: z.boolean().optional(),
  key_file: z.string().min(1).optional(),
});

interface FetchSource {
  path: string;
  remote: string;
  prune: boolean;
  keyFile: string | undefined;
}

/** The clone's copies of a remote's branches and tags; fetching makes them the remote's. */
function fetchResource(s: FetchSource) {
  return defineResource({
    type: 'git_fetch',
    desired: z.record(z.string(), z.string()),
    async read(ctx) {
      const out = await gitOut(
        ctx,
        ['for-each-ref', '--format=%(objectname) %(refname)', `refs/remotes/${s.remote}/`, 'refs/tags/'],
        {
          cwd: s.path,
        },
      );
      return parseRefs(out, ' ');
    },
    diff: (desired, actual): Changes => {
      const changes: Changes = {};
      for (const [ref, id] of Object.entries(desired)) if (actual?.[ref] !== id) changes[ref] = { old: actual?.[ref], new: id };
      if (s.prune) {
        for (const [ref, id] of Object.entries(actual ?? {})) {
          if (ref.startsWith(`refs/remotes/${s.remote}/`) && !ref.endsWith('/HEAD') && !(ref in desired)) {
            changes[ref] = { old: id, new: undefined };
          }
        }
      }
      return changes;
    },
    async apply(ctx) {
      await git(ctx, ['fetch', '--tags', ...(s.prune ? ['--prune'] : []), s.remote], {
        cwd: s.path,
        keyFile: s.keyFile,
        live: true,
      });
    },
  });
}

/** What fetch would make this clone's refs: the remote's heads as refs/remotes/REMOTE/..., its tags as they are. */
async function remoteRefs(ctx: ModuleCallContext, s: FetchSource): Promise<RefMap> {
  const theirs = parseRefs(
    await gitOut(ctx, ['ls-remote', '--heads', '--tags', s.remote], { cwd: s.path, keyFile: s.keyFile }),
    '\t',
  );
  const mapped: RefMap = {};
  for (const [ref, id] of Object.entries(theirs)) {
    mapped[ref.startsWith('refs/heads/') ? `refs/remotes/${s.remote}/${ref.slice('refs/heads/'.length)}` : ref] = id;
  }
  return mapped;
}

export const fetch = fn({
  doc:
    "Fetches a remote's branches and tags (default origin; prune = true drops branches gone from it). changed when " +
    'a branch or tag moved, appeared (or was pruned); changes lists them. The working tree is not touched.',
  args: [repoParam, arg('opts', luaTable(fetchOptions).optional(), '{ remote, prune, key_file }')],
  returns: 'table: changed, changes ({ [ref] = { old, new } }), check_mode, path',
  examples: ['local r = git.fetch(repo, { prune = true })\nif r.changed then log.info("new commits upstream") end'],
  run: async ([repo, opts], ctx) => {
    const path = repoPath(ctx, repo);
    await repoFacts(ctx, path);
    const source = { path, remote: opts?.remote ?? 'origin', prune: opts?.prune === true, keyFile: opts?.key_file };
    const outcome = await converge(fetchResource(source), `${path} <- ${source.remote}`, await remoteRefs(ctx, source), ctx);
    return changeResult(outcome, { path });
  },
});
