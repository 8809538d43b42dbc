import { type Changes, converge, defineResource, type ModuleCallContext, type ResourceOutcome, SlothError, z } from '@sloth/core';
import { type AptOptions, aptGet } from './apt-get.js';
import { cEnv, toolFailure } from './dpkg-facts.js';

// Debian-family tools (Ubuntu's update-notifier hook, Ansible's cache_valid_time) read the time of the last
// successful `apt-get update` from this file under apt's state directory; pkg.update writes it too.
const STAMP = 'periodic/update-success-stamp';

/** What is known of apt's package index: when it was last refreshed (ms since the epoch), if known. */
interface IndexState {
  refreshedAt: number | undefined;
}

/**
 * apt's package index. Desired: refreshed within `validFor` seconds (undefined: refreshed now, whatever its age).
 * Its change is `refreshed = { old = ISO time or nil, new = "now" }`.
 */
const indexResource = defineResource({
  type: 'package_index',
  desired: z.object({ validFor: z.number().optional(), lockTimeout: z.number().optional() }),
  async read(ctx): Promise<IndexState> {
    const dirs = await aptDirs(ctx);
    const times = [(await ctx.host.stat(`${dirs.state}/${STAMP}`))?.mtimeMs, (await ctx.host.stat(dirs.lists))?.mtimeMs];
    const known = times.filter((t): t is number => t !== undefined);
    return { refreshedAt: known.length > 0 ? Math.max(...known) : undefined };
  },
  diff(desired, actual): Changes {
    const at = actual?.refreshedAt;
    if (desired.validFor !== undefined && at !== undefined && Date.now() - at <= desired.validFor * 1000) return {};
    return { refreshed: { old: at === undefined ? undefined : new Date(at).toISOString(), new: 'now' } };
  },
  async apply(ctx, _name, _changes, desired) {
    await aptGet(ctx, ['update'], { lockTimeout: desired.lockTimeout });
    await ctx.host.writeFile(`${(await aptDirs(ctx)).state}/${STAMP}`, '', { makeParents: true });
  },
});

/**
 * Refreshes apt's index (`apt-get update`) unless it is younger than `validFor` seconds. Changed only when the
 * lists it fetched differ from those it had (names, sizes and times of the files in apt's lists directory).
 */
export async function refreshIndex(
  ctx: ModuleCallContext,
  validFor: number | undefined,
  options: AptOptions = {},
): Promise<ResourceOutcome> {
  // Reported below, once the lists say whether the refresh changed anything.
  const hold: ModuleCallContext = { ...ctx, reportResource: () => {} };
  const before = ctx.checkMode ? '' : await listsFingerprint(ctx);
  const outcome = await converge(indexResource, 'apt', { validFor, lockTimeout: options.lockTimeout }, hold);
  const result =
    outcome.changed && !ctx.checkMode && (await listsFingerprint(ctx)) === before
      ? { ...outcome, changed: false, changes: {} }
      : outcome;
  ctx.reportResource(result);
  return result;
}

/** Where apt keeps its state and its lists (`Dir::State`, `Dir::State::lists`), as apt's configuration says. */
async function aptDirs(ctx: ModuleCallContext): Promise<{ state: string; lists: string }> {
  const r = await ctx.host.run(['apt-config', 'shell', 'STATE', 'Dir::State/d', 'LISTS', 'Dir::State::lists/d'], {
    env: cEnv(ctx),
  });
  if (r.exitCode !== 0) throw toolFailure(ctx, 'apt-config', r);
  const dir = (key: string) => {
    const m = new RegExp(`^${key}='(.*)'$`, 'm').exec(r.stdout);
    if (!m?.[1])
      throw new SlothError('internal', `${ctx.fn}: apt-config did not say where apt's ${key.toLowerCase()} directory is`);
    return m[1].replace(/\/+$/, '') || '/';
  };
  return { state: dir('STATE'), lists: dir('LISTS') };
}

async function listsFingerprint(ctx: ModuleCallContext): Promise<string> {
  const { lists } = await aptDirs(ctx);
  const r = await ctx.host.run(['find', lists, '-maxdepth', '1', '-type', 'f', '-printf', '%f %s %T@\\n'], { env: cEnv(ctx) });
  if (r.exitCode !== 0) throw toolFailure(ctx, 'find', r);
  return r.stdout.split('\n').sort().join('\n');
}
