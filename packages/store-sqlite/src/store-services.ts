import type { RunServices } from '@sloth/core';
import { leaseRepo } from './leases.js';
import { type Store, storeError, storeFile } from './open-store.js';
import { secretRepo } from './secret-repo.js';
import { stackRepo } from './stack-repo.js';
import { stateRepo } from './state-repo.js';

/** What a run's modules get from a Store: its state, leases, stacks and secrets. */
export type StoreServices = Pick<RunServices, 'state' | 'leases' | 'stacks' | 'secrets' | 'dataDir'>;

/**
 * The run services of the Store `open` returns, called on first access of each (so a workflow that never touches
 * state never opens the database); `dataDir` lets goroutine threads open their own.
 */
export function storeServices(open: () => Store, dataDir: string): StoreServices {
  const opened = () => {
    try {
      return open();
    } catch (err) {
      throw storeError(err, storeFile(dataDir));
    }
  };
  return {
    dataDir,
    get state() {
      return stateRepo(opened());
    },
    get leases() {
      return leaseRepo(opened());
    },
    get stacks() {
      return stackRepo(opened());
    },
    get secrets() {
      return secretRepo(opened());
    },
  };
}
