import { afterEach } from 'vitest';

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
