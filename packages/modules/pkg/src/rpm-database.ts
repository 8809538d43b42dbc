import { type ModuleCallContext, SlothError } from '@sloth/core';
import { cEnv, lastLines } from './dpkg-facts.js';
import type { PackageFact } from './driver.js';
import { installedFacts, readTool } from './manager-run.js';
import { parseRpmQuery, RPM_FORMAT } from './other-facts.js';

// rpm's database, which dnf, yum and zypper share.

/** What rpm's database says of each name (`rpm -q`; it prints "package X is not installed" and counts them in its exit code). */
export async function rpmQuery(ctx: ModuleCallContext, names: readonly string[]): Promise<Map<string, PackageFact>> {
  if (names.length === 0) return new Map();
  const { stdout } = await readTool(
    ctx,
    ['rpm', '-q', '--qf', RPM_FORMAT, ...names],
    (code, stderr) => code === 0 || (code !== null && stderr.trim() === ''),
  );
  return installedFacts(parseRpmQuery(stdout));
}

/** Name and version of a local .rpm file (`rpm -qp`). */
export async function rpmFile(ctx: ModuleCallContext, path: string): Promise<{ name: string; version: string }> {
  const r = await ctx.host.run(['rpm', '-qp', '--qf', RPM_FORMAT, path], { env: cEnv(ctx) });
  const [entry] = parseRpmQuery(r.stdout);
  if (r.exitCode === 0 && entry) return { name: entry[0], version: entry[1] };
  throw packageFileError(ctx, path, '.rpm', r.stderr);
}

/** A local package file that its tool cannot read: what the tool said. */
export function packageFileError(ctx: ModuleCallContext, path: string, kind: string, stderr: string): SlothError {
  return new SlothError(
    'invalid_argument',
    `${ctx.fn}: '${path}' is not a readable ${kind} package: ${lastLines(stderr) || 'no name and version in it'}`,
    { hint: `file = names a ${kind} package file on the host` },
  );
}
