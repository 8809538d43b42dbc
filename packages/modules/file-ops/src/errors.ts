import { type ModuleCallContext, SlothError } from '@sloth/core';

/** Runs one function's work on `path`: refuses to start once the task is stopped, and turns OS errors into SlothErrors. */
export async function fileCall<T>(ctx: ModuleCallContext, path: string, body: () => Promise<T>): Promise<T> {
  if (ctx.signal.aborted) throw new SlothError('aborted', `${ctx.fn}: not started because the task was stopped`);
  try {
    return await body();
  } catch (err) {
    if (err instanceof SlothError) throw err;
    if (ctx.signal.aborted) throw new SlothError('aborted', `${ctx.fn}: '${path}' interrupted because the task was stopped`);
    throw osError(ctx, path, err);
  }
}

/** A Node filesystem error as a message naming the function and the path, with what to do. */
function osError(ctx: ModuleCallContext, path: string, err: unknown): SlothError {
  const e = err as NodeJS.ErrnoException;
  const where = typeof e.path === 'string' ? e.path : path;
  const fail = (code: 'not_found' | 'invalid_argument' | 'task_failed', message: string, hint: string) =>
    new SlothError(code, `${ctx.fn}: ${message}`, { hint, cause: err });
  switch (e.code) {
    case 'ENOENT':
      return fail(
        'not_found',
        `no such file or directory '${where}'`,
        `check the path (relative ones resolve against ${ctx.workdir})`,
      );
    case 'ENOTDIR':
      return fail('invalid_argument', `not a directory: '${where}'`, 'the path, or one of its parent directories, is a file');
    case 'EISDIR':
      return fail('invalid_argument', `'${where}' is a directory`, 'give the path of a file, or remove the directory first');
    case 'EACCES':
    case 'EPERM':
      return fail(
        'task_failed',
        `permission denied: '${where}'`,
        'run the task as a user allowed to change it (root for owners)',
      );
    default:
      return fail('task_failed', `'${where}': ${e.message ?? String(err)}`, 'see the cause above; the file was not changed');
  }
}
