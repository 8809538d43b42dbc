import { type ModuleCallContext, SlothError } from '@sloth/core';
import { missingPathHint } from './paths.js';

/** Runs one filesystem operation for `ctx.fn`: refuses to start once the task is stopped, and turns errno failures into SlothErrors. */
export async function fsCall<T>(given: string, path: string, ctx: ModuleCallContext, body: () => Promise<T>): Promise<T> {
  if (ctx.signal.aborted) throw new SlothError('aborted', `${ctx.fn}: not started because the task was stopped`);
  try {
    return await body();
  } catch (err) {
    if (ctx.signal.aborted) {
      throw new SlothError('aborted', `${ctx.fn}: '${path}' interrupted because the task was stopped`, { cause: err });
    }
    throw toSlothError(given, path, err, ctx);
  }
}

/** Maps a Node filesystem error to a message naming the function and the path, with what to do about it. */
export function toSlothError(given: string, path: string, err: unknown, ctx: ModuleCallContext): SlothError {
  if (err instanceof SlothError) return err;
  const e = err as NodeJS.ErrnoException;
  // Errors inside a recursive copy or move name the entry that failed, which may be below the path the user gave;
  // for two-path calls (symlink, rename) an existing path is the destination.
  const named = e.code === 'EEXIST' ? ((e as { dest?: unknown }).dest ?? e.path) : e.path;
  const where = typeof named === 'string' ? named : path;
  const fail = (code: 'not_found' | 'invalid_argument' | 'task_failed', message: string, hint: string) =>
    new SlothError(code, `${ctx.fn}: ${message}`, { hint, cause: err });
  switch (e.code) {
    case 'ENOENT':
      return fail('not_found', `no such file or directory '${where}'`, missingPathHint(ctx, given));
    case 'ENOTDIR':
      return fail('invalid_argument', `not a directory: '${where}'`, 'the path, or one of its parent directories, is a file');
    case 'EISDIR':
      return fail(
        'invalid_argument',
        `'${where}' is a directory`,
        'use fs.ls to list a directory, fs.rmr to remove it, fs.copy to copy it',
      );
    case 'EEXIST':
      return fail('invalid_argument', `'${where}' already exists`, 'remove it first (fs.rm or fs.rmr), or choose another path');
    case 'ENOTEMPTY':
      return fail(
        'invalid_argument',
        `directory '${where}' is not empty`,
        'use fs.rmr to remove a directory with everything inside',
      );
    case 'EACCES':
    case 'EPERM':
      return fail(
        'task_failed',
        `permission denied: '${where}'`,
        'check the owner and mode (fs.stat), or run the task as a user allowed to do this',
      );
    default:
      return fail(
        'task_failed',
        `'${where}': ${e.message ?? String(err)}`,
        'see the cause above; the operation was not completed',
      );
  }
}
