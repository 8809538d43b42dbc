import { readFileSync } from 'node:fs';
import { afterEach } from 'vitest';

/** True while `pid` is a live process (zombies count as gone: nobody may reap them in a container). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Pids a test's commands may leave behind; pushed by the test, SIGKILLed after each test whatever happens. */
export function trackLeftovers(): number[] {
  const leftovers: number[] = [];
  afterEach(() => {
    for (const pid of leftovers.splice(0)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
  return leftovers;
}
