import { isAbsolute, resolve } from 'node:path';
import { arg, type ModuleCallContext, z } from '@sloth/core';

/** A path argument: a non-empty string. */
export function pathArg(name: string, doc: string) {
  return arg(name, z.string().min(1, 'expected a path, got an empty string'), doc);
}

/** Resolves a user path against the task workdir. */
export function resolvePath(ctx: ModuleCallContext, path: string): string {
  return resolve(ctx.workdir, path);
}

/** The hint for a path that does not exist, pointing at the workdir when the user gave a relative path. */
export function missingPathHint(ctx: ModuleCallContext, given: string): string {
  return isAbsolute(given)
    ? 'check the path, or use fs.exists to test for it first'
    : `relative paths resolve against the task workdir (${ctx.workdir}); check the path, or use fs.exists to test for it first`;
}
