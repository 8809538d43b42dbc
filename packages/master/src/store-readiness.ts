import type { Readiness } from '@sloth/metrics';
import type { Store } from '@sloth/store-sqlite';

/** Ready when the store answers a query (it is open and readable). */
export function storeReadiness(store: Store): Readiness {
  try {
    store.sqlite.prepare('SELECT 1').get();
    return { ready: true, detail: `store ${store.path} open` };
  } catch (err) {
    return {
      ready: false,
      detail: `the store ${store.path} does not answer: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
}
