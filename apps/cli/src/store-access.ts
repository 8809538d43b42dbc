import type { RunServices } from '@sloth/core';
import { defaultDataDir, openStore, type Store, storeError, storeFile, storeServices } from '@sloth/store-sqlite';

/** Services whose store is opened on first use, so a workflow that never touches state never opens the database. */
export function lazyServices(dataDir: string | undefined): { services: RunServices; store: () => Store; close: () => void } {
  const dir = dataDir ?? defaultDataDir();
  let store: Store | undefined;
  const open = () => {
    store ??= openStore(dir);
    return store;
  };
  return { services: storeServices(open, dir), store: open, close: () => store?.close() };
}

/** Opens the data directory's store (default $SLOTH_HOME...); open failures say what to do. Close it after use. */
export function openDataStore(dataDir: string | undefined): Store {
  const dir = dataDir ?? defaultDataDir();
  try {
    return openStore(dir);
  } catch (err) {
    throw storeError(err, storeFile(dir));
  }
}

/** Opens the data directory's store for one command, hands it to `fn`, and closes it; open failures say what to do. */
export async function withStore<T>(dataDir: string | undefined, fn: (store: Store) => T | Promise<T>): Promise<T> {
  const store = openDataStore(dataDir);
  try {
    return await fn(store);
  } finally {
    store.close();
  }
}
