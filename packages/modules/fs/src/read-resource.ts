import type { ModuleCallContext, ResourceReadback } from '@sloth/core';
import { fileResource } from './file-resource.js';

/**
 * The fs drift hook: reads back a stack resource of type "file" registered with `module = "fs"`.
 * Properties it reads: `path` (required; relative paths resolve against the workdir of `stack drift`, so record absolute
 * ones), `content` (the text), `sha256` (hex digest of the bytes) and `mode` (permission bits as "0644" or "644"; a number is their value, 420 for 0644),
 * each only when recorded. Other types are not checkable.
 */
export async function readFsResource(
  type: string,
  _name: string,
  properties: Record<string, unknown>,
  ctx: ModuleCallContext,
): Promise<ResourceReadback | undefined> {
  if (type !== 'file' || typeof properties.path !== 'string' || properties.path.length === 0) return undefined;
  const actual = await fileResource.read(ctx, properties.path);
  if (!actual) return { exists: false };
  if (actual.content === undefined && ('content' in properties || 'sha256' in properties)) {
    throw new Error(`cannot read '${properties.path}': permission denied`);
  }
  const current: Record<string, unknown> = { path: properties.path };
  if ('content' in properties) current.content = actual.content;
  if ('sha256' in properties) current.sha256 = actual.sha256;
  if ('mode' in properties) current.mode = modeLike(properties.mode, actual.mode & 0o777);
  return { exists: true, properties: current };
}

/** The mode in the form it was recorded in, so "0644" compares equal to 0o644. */
function modeLike(recorded: unknown, mode: number): string | number {
  // A number is the bits' value (420 for 0644): Lua has no octal literals, so strings are the clearer form.
  if (typeof recorded === 'number') return mode;
  const octal = mode.toString(8);
  return typeof recorded === 'string' && recorded.startsWith('0') ? octal.padStart(recorded.length, '0') : octal;
}
