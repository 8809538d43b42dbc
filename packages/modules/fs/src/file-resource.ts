import { createHash } from 'node:crypto';
import { defineResource, z } from '@sloth/core';

/** A file as it is: what `fs.write` compares with and `stack drift` reads back. */
export interface FileState {
  /** Its text (UTF-8); undefined when it cannot be read, so it differs from any desired content. */
  content: string | undefined;
  /** Hex sha256 of its bytes; undefined when it cannot be read. */
  sha256: string | undefined;
  /** Permission bits. */
  mode: number;
}

/**
 * A regular file, named by its path (relative paths resolve against the task workdir). Desired: its content. A path
 * that is not a regular file (missing, a directory) reads as absent; writing it then fails as writing would.
 */
export const fileResource = defineResource({
  type: 'file',
  desired: z.object({ content: z.string() }),
  async read(ctx, path): Promise<FileState | undefined> {
    const info = await ctx.host.stat(path);
    if (info?.type !== 'file') return undefined;
    let bytes: Buffer;
    try {
      bytes = await ctx.host.readFile(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM') return { content: undefined, sha256: undefined, mode: info.mode };
      throw err;
    }
    return { content: bytes.toString('utf8'), sha256: createHash('sha256').update(bytes).digest('hex'), mode: info.mode };
  },
  async apply(ctx, path, _changes, desired) {
    await ctx.host.writeFile(path, desired.content, { makeParents: true });
  },
});
