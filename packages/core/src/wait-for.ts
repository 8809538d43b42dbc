import { readFileSync } from 'node:fs';

/**
 * Waits until `predicate` holds, checking it every `everyMs`, or fails after `timeoutMs` naming `what` it waited for
 * (tests wait on conditions, never on a sleep).
 */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
  everyMs = 20,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Waits (up to 10 s) until a command writes its pid into `path` (`echo $$ > path`), and returns the pid. */
export async function waitForPid(path: string, what: string): Promise<number> {
  let pid = 0;
  await waitFor(
    () => {
      try {
        pid = Number(readFileSync(path, 'utf8'));
        return pid > 0;
      } catch {
        return false;
      }
    },
    10_000,
    what,
  );
  return pid;
}
