import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ModuleCallContext, parseArgs } from '@sloth/core/internal';
import { testContext } from '@sloth/core/testing';
import { templateInternal } from './copy-template.js';

/** A day long ago: files set to it show whether a call touched them. */
export const OLD = new Date('2001-02-03T04:05:06Z');

/** A fresh temp directory. */
export const tempDir = () => mkdtemp(join(tmpdir(), 'sloth-file-ops-'));

/** A test context whose workflow file lives in `sourceDir` (on an agent when `bundled`). */
export function contextIn(workdir: string, options: { sourceDir?: string; bundled?: boolean; checkMode?: boolean } = {}) {
  const made = testContext({ workdir, checkMode: options.checkMode });
  const ctx: ModuleCallContext = {
    ...made.ctx,
    sourceDir: options.sourceDir ?? workdir,
    sourceBundled: options.bundled ?? false,
  };
  return { ...made, ctx };
}

/** file_ops.template as its Lua wrapper calls it, with the workflow's values and params. */
export function callTemplate(
  ctx: ModuleCallContext,
  opts: unknown,
  values: Record<string, unknown> = {},
  params: Record<string, unknown> = {},
): Promise<Record<string, unknown>> {
  const args = parseArgs('file_ops', '_template', templateInternal, [opts, values, params]);
  return templateInternal.run(args as never, { ...ctx, fn: 'file_ops._template' }) as Promise<Record<string, unknown>>;
}
