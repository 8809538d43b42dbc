import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@sloth/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from './open-store.js';
import { stateRepo } from './state-repo.js';
import { watchWrites } from './write-watch.js';

const opened: Store[] = [];
afterEach(() => {
  for (const s of opened.splice(0)) s.close();
});

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
    await waitFor(() => writes > 0, 10_000, 'the write to be seen');
    stop();
    const seen = writes;
    // A second watch sees the next write; the stopped one, which would have been told with it, is not.
    let second = 0;
    const stopSecond = watchWrites(store, () => {
      second += 1;
    });
    stateRepo(other).set('k', 2);
    await waitFor(() => second > 0, 10_000, 'the second watch to see the write');
    stopSecond();
    expect(writes).toBe(seen);
  });
});
