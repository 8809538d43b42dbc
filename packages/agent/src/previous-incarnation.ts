import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { processAlive, readPidFile } from '@sloth/core/daemon';
import { killMarkedGroups, makeDirectorySync, SlothError } from '@sloth/core/internal';

/** Where an agent records its pid, for the next agent of that name and data directory. */
export function incarnationFile(dataDir: string, name: string): string {
  return join(dataDir, 'agents', `${encodeURIComponent(name)}.pid`);
}

/**
 * Kills what the previous process of this agent left running, then records this one. Its spawn helper kills its
 * commands when it dies; this covers the helper dying with it (a kill of the whole process group, the OOM killer).
 * The commands are found by the mark they carry (the pid that started them); a previous pid that is alive again
 * belongs to another process now, and is left alone. Returns the previous pid and how many process groups were killed.
 */
export function takeOverFromPrevious(dataDir: string, name: string): { previous?: number; killed: number } {
  const file = incarnationFile(dataDir, name);
  const previous = readPidFile(file);
  const killed =
    previous !== undefined && previous !== process.pid && !processAlive(previous) ? killMarkedGroups(String(previous), true) : 0;
  try {
    makeDirectorySync(dirname(file));
    writeFileSync(file, `${process.pid}\n`);
  } catch (err) {
    throw new SlothError('usage', `cannot write ${file}: ${(err as Error).message}`, {
      hint: 'the agent needs a writable data directory (--data-dir or SLOTH_HOME)',
      cause: err,
    });
  }
  return { previous, killed };
}
