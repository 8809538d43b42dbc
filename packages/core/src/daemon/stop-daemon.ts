import { setTimeout as pause } from 'node:timers/promises';
import { formatDuration } from '../duration.js';
import { SlothError } from '../errors.js';
import { processAlive, readPidFile, removePidFile } from './pid-file.js';

/** How a stop went: `stale` when the pid file named a process that was already gone (the file is removed). */
export interface StopOutcome {
  pid: number;
  stale: boolean;
}

/**
 * Stops the daemon of a pid file: SIGTERM, then waits (bounded) until it has exited and removes the pid file.
 * `what` names it in messages ("the master"); `hint` says how such a daemon is started.
 */
export async function stopDaemon(
  pidFile: string,
  what: string,
  options: { hint: string; timeoutMs?: number; signal?: AbortSignal },
): Promise<StopOutcome> {
  const pid = readPidFile(pidFile);
  if (pid === undefined)
    throw new SlothError('not_found', `${what} does not run in the background here: ${pidFile} does not exist`, {
      hint: options.hint,
    });
  if (!processAlive(pid)) {
    removePidFile(pidFile, pid);
    return { pid, stale: true };
  }
  try {
    process.kill(pid, 'SIGTERM');
  } catch (err) {
    throw new SlothError('usage', `cannot signal ${what} (pid ${pid}): ${(err as Error).message}`, {
      hint: 'it runs under another user: stop it as that user',
    });
  }
  const timeoutMs = options.timeoutMs ?? 20_000;
  const deadline = Date.now() + timeoutMs;
  while (processAlive(pid)) {
    if (options.signal?.aborted) throw new SlothError('aborted', `stopped waiting for ${what} (pid ${pid}) to exit`);
    if (Date.now() > deadline)
      throw new SlothError('timeout', `${what} (pid ${pid}) did not exit within ${formatDuration(timeoutMs)} of SIGTERM`, {
        hint: `see its log; \`kill -9 ${pid}\` ends it without cleanup`,
      });
    await pause(50);
  }
  removePidFile(pidFile, pid);
  return { pid, stale: false };
}
