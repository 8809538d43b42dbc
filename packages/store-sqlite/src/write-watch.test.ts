import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from './open-store.js';
import { stateRepo } from './state-repo.js';
import { watchWrites } from './write-watch.js';

const opened: Store[] = [];
afterEach(() => {
  for (const s of opened.splice(0)) s.close();
});

async function until(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('watchWrites', () => {
  it("sees another connection's commit, and nothing after it is stopped", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sloth-watch-'));
    const store = openStore(dir);
    const other = openStore(dir);
    opened.push(store, other);
    let writes = 0;
    const stop = watchWrites(store, () => {
      writes += 1;
    });
    stateRepo(other).set('k', 1);
    await until(() => writes > 0, 10_000, 'the write to be seen');
    stop();
    const seen = writes;
    // A second watch sees the next write; the stopped one, which would have been told with it, is not.
    let second = 0;
    const stopSecond = watchWrites(store, () => {
      second += 1;
    });
    stateRepo(other).set('k', 2);
    await until(() => second > 0, 10_000, 'the second watch to see the write');
    stopSecond();
    expect(writes).toBe(seen);
  });
});
