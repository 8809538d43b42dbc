import { mkdirSync, statSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/**
 * Node's `mkdir(path, { recursive: true })` retries for ever when `mkdir` answers ENOENT under a parent that exists
 * (as under /proc), spinning at full CPU and deaf to signals. These walk the path themselves: up to the first
 * ancestor that exists (which must be a directory), then down one `mkdir` per missing level, so every failure is
 * the OS's answer for one named path.
 */

/** Creates `path` and its missing parents; does nothing when it is a directory already. */
export function makeDirectorySync(path: string, mode?: number): void {
  const missing = missingLevels(resolve(path), statSyncOrUndefined);
  for (const level of missing) {
    try {
      mkdirSync(level, mode === undefined ? undefined : { mode });
    } catch (err) {
      if (!createdMeanwhile(err, () => statSyncOrUndefined(level))) throw err;
    }
  }
}

/** Async twin of makeDirectorySync; says whether it created `path` itself. */
export async function makeDirectory(path: string, mode?: number): Promise<boolean> {
  const seen = new Map<string, Stats | undefined>();
  const target = resolve(path);
  // Stat the chain asynchronously first, then reuse the answers in the shared walk.
  for (let p = target; ; p = dirname(p)) {
    const s = await stat(p).catch(notFoundAsUndefined);
    seen.set(p, s);
    if (s !== undefined || dirname(p) === p) break;
  }
  const missing = missingLevels(target, (p) => seen.get(p));
  let created = false;
  for (const level of missing) {
    try {
      await mkdir(level, mode === undefined ? undefined : { mode });
      created = level === target;
    } catch (err) {
      const now = await stat(level).catch(notFoundAsUndefined);
      if (!createdMeanwhile(err, () => now)) throw err;
    }
  }
  return created;
}

interface Stats {
  isDirectory(): boolean;
}

/** The levels to create, outermost first; throws ENOTDIR when the deepest existing ancestor is not a directory. */
function missingLevels(target: string, statOf: (path: string) => Stats | undefined): string[] {
  const missing: string[] = [];
  for (let p = target; ; p = dirname(p)) {
    const s = statOf(p);
    if (s !== undefined) {
      if (!s.isDirectory()) throw p === target ? fsError('EEXIST', 'file already exists', p) : notADirectory(p);
      break;
    }
    missing.unshift(p);
    if (dirname(p) === p) break;
  }
  return missing;
}

/** EEXIST from a race with another process is fine when what exists now is a directory. */
function createdMeanwhile(err: unknown, statNow: () => Stats | undefined): boolean {
  if ((err as { code?: string }).code !== 'EEXIST') return false;
  const s = statNow();
  if (s !== undefined && !s.isDirectory()) throw err;
  return s !== undefined;
}

function statSyncOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (err) {
    return notFoundAsUndefined(err);
  }
}

function notFoundAsUndefined(err: unknown): undefined {
  if ((err as { code?: string }).code === 'ENOENT' || (err as { code?: string }).code === 'ENOTDIR') return undefined;
  throw err;
}

function notADirectory(path: string): NodeJS.ErrnoException {
  return fsError('ENOTDIR', 'not a directory', path);
}

/** An error shaped as Node's own for mkdir (code, syscall, path), so callers that map those keep working. */
function fsError(code: string, what: string, path: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(`${code}: ${what}, mkdir '${path}'`);
  err.code = code;
  err.syscall = 'mkdir';
  err.path = path;
  return err;
}
