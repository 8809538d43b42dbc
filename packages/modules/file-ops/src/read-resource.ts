import type { ModuleCallContext, ResourceReadback } from '@sloth/core';
import { formatMode } from './fields.js';
import { namedAttributes, readFileFacts } from './managed-file.js';

/**
 * The drift hook of file_ops (and file): reads back the stack resources its functions record, by their recorded
 * properties. "file": path, sha256, mode ("0644"), owner, group; "directory": path, mode, owner, group; "link":
 * path, src. Only recorded properties are read; an owner recorded as a number is read back as one.
 */
export async function readFileOpsResource(
  type: string,
  _name: string,
  properties: Record<string, unknown>,
  ctx: ModuleCallContext,
): Promise<ResourceReadback | undefined> {
  const path = properties.path;
  if (typeof path !== 'string' || path === '' || !['file', 'directory', 'link'].includes(type)) return undefined;
  const info = await ctx.host.lstat(path);
  if (type === 'link') {
    if (info?.type !== 'link') return { exists: false };
    return { exists: true, properties: { path, src: await ctx.host.readlink(path) } };
  }
  const followed = info?.type === 'link' ? await ctx.host.stat(path) : info;
  if (followed?.type !== type) return { exists: false };
  const current: Record<string, unknown> = { path };
  if (type === 'file' && 'sha256' in properties) {
    const facts = await readFileFacts(ctx, path);
    if (facts?.sha256 === undefined) throw new Error(`cannot read '${path}': permission denied`);
    current.sha256 = facts.sha256;
  }
  const attributes = await namedAttributes(ctx, followed);
  if ('mode' in properties) current.mode = typeof properties.mode === 'number' ? attributes.mode : formatMode(attributes.mode);
  if ('owner' in properties) current.owner = typeof properties.owner === 'number' ? attributes.uid : attributes.owner;
  if ('group' in properties) current.group = typeof properties.group === 'number' ? attributes.gid : attributes.group;
  return { exists: true, properties: current };
}
