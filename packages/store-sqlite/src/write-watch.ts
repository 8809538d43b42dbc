import { watch } from 'node:fs';
import type { Store } from './open-store.js';

/**
 * Calls `onWrite` when a connection, of this process or another, writes to the store: every commit appends to the
 * write-ahead log file, so a file watch sees it and costs nothing while nothing happens. Returns a function that stops
 * watching. Without a watch (no log file yet, or the system's limit on watches) that function does nothing and
 * `onWrite` is never called: callers keep a timeout of their own.
 */
export function watchWrites(store: Store, onWrite: () => void): () => void {
  try {
    const watcher = watch(`${store.path}-wal`, { persistent: false }, () => onWrite());
    watcher.on('error', () => watcher.close());
    return () => watcher.close();
  } catch {
    return () => {};
  }
}
