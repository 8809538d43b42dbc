import { isAbsolute, relative, resolve } from 'node:path';
import { type ModuleCallContext, SlothError } from '@sloth/core';

/** A target path (`dest`, `path`): relative to the task workdir. */
export function targetPath(ctx: ModuleCallContext, given: string): string {
  return resolve(ctx.workdir, given);
}

/**
 * A source the workflow ships (`src` of copy, template, unarchive): relative to the workflow file's directory. On an
 * agent only that directory travelled with the task, so a path outside it is refused there rather than read from
 * whatever the agent's machine has at that path.
 */
export function sourcePath(ctx: ModuleCallContext, given: string): string {
  const path = resolve(ctx.sourceDir, given);
  const below = relative(ctx.sourceDir, path);
  if (ctx.sourceBundled && (below.startsWith('..') || isAbsolute(below))) {
    throw new SlothError(
      'invalid_argument',
      `${ctx.fn}: src '${given}' lies outside the workflow's directory, so it cannot travel to an agent`,
      {
        hint: "put the file in the workflow's directory (or below it) and give its path relative to the workflow file",
      },
    );
  }
  return path;
}
