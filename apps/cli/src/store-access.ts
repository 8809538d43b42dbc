import type { RunServices } from '@sloth/core';
import { defaultDataDir, openStore, type Store } from '@sloth/core/store';

/** Services whose store is opened on first use, so a workflow that never touches state never opens the database. */
export function lazyServices(dataDir: string | undefined): { services: RunServices; close: () => void } {
  let store: Store | undefined;
  const services: RunServices = {
    get store(): Store {
      store ??= openStore(dataDir ?? defaultDataDir());
      return store;
    },
  };
  return { services, close: () => store?.close() };
}
