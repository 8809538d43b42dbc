import { type Changes, defineResource, sha256Hex, z } from '@sloth/core';

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
 * that is not a regular file (missing, a directory) reads as absent; writing it then fails as writing would. Its
 * change names the content by hash (it may be a secret); the text shows only in the diff.
 */
export const fileResource = defineResource({
  type: 'file',
  desired: z.object({ content: z.string() }),
  diff: (desired, actual: FileState | undefined): Changes =>
    actual?.content === desired.content
      ? {}
      : { content: { old: actual?.sha256 && `sha256:${actual.sha256}`, new: `sha256:${sha256Hex(desired.content)}` } },
  content: (desired, actual: FileState | undefined) => ({ before: actual?.content, after: desired.content }),
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
    return { content: bytes.toString('utf8'), sha256: sha256Hex(bytes), mode: info.mode };
  },
  async apply(ctx, path, _changes, desired) {
    await ctx.host.writeFile(path, desired.content, { makeParents: true });
  },
});
