import type { RunStatus, SlothErrorCode } from '@sloth/core';

/** Exit codes: 0 success, 1 the workflow failed, 2 usage or load error, 130 interrupted (SIGINT/SIGTERM). */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

/** The exit code for an error that stopped a command. */
export function exitCodeForError(code: SlothErrorCode): number {
  return code === 'task_failed' || code === 'timeout' ? EXIT.failed : code === 'aborted' ? EXIT.interrupted : EXIT.usage;
}

/** The exit code for a finished run. */
export function exitCodeForRun(status: RunStatus): number {
  return status === 'success' ? EXIT.ok : status === 'aborted' ? EXIT.interrupted : EXIT.failed;
}
