import { type StateRepo, type Store, stateRepo } from '@sloth/store-sqlite';
import { withStore } from '../store-access.js';

/** Opens the store for one state command and hands its state repository to `fn`. */
export function withState<T>(dataDir: string | undefined, fn: (repo: StateRepo, store: Store) => T | Promise<T>): Promise<T> {
  return withStore(dataDir, (store) => fn(stateRepo(store), store));
}
