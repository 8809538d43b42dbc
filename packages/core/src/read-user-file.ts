import { readFile, stat } from 'node:fs/promises';
import { SlothError } from './errors.js';

/** What a path is, in words, when it is not a regular file. */
function kindOf(stat: {
  isDirectory(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
}): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isFIFO()) return 'a named pipe';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Reads a text file the user named (a workflow, a values file, a hook). A missing path, a directory, a device
 * (`-f /dev/zero` would never end), or one that cannot be read is a `not_found`/`usage` error saying which, in
 * `kind`'s words, with `hint` on what to pass instead.
 */
export async function readUserFile(path: string, kind: string, hint: string): Promise<string> {
  try {
    // stat before opening: opening a named pipe would wait for a writer, and reading a device may never end.
    const stats = await stat(path);
    if (!stats.isFile()) {
      throw new SlothError('usage', `${kind} '${path}' is ${kindOf(stats)}, not a file`, { hint });
    }
    return await readFile(path, 'utf8');
  } catch (err) {
    if (err instanceof SlothError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new SlothError('not_found', `${kind} '${path}' not found`, { hint });
    throw new SlothError('usage', `${kind} '${path}' cannot be read (${code ?? String(err)})`, {
      hint: code === 'EACCES' ? 'check its permissions, or run as a user who can read it' : hint,
      cause: err,
    });
  }
}
