import { type StackRepo, type Store, stackRepo } from '@sloth/store-sqlite';
import { withStore } from '../store-access.js';

/** Opens the store for one stack command and hands its stack repository to `fn`. */
export function withStacks<T>(dataDir: string | undefined, fn: (repo: StackRepo, store: Store) => T | Promise<T>): Promise<T> {
  return withStore(dataDir, (store) => fn(stackRepo(store), store));
}
