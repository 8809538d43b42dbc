import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testContext } from '@sloth/core/testing';
import { openStore, type Store, storeServices } from '@sloth/store-sqlite';

export { call, failure } from '@sloth/core/testing';

/** A module context with a real store in a fresh data directory (or none, with noServices). */
export function stateContext(options: { store?: Store; signal?: AbortSignal; noServices?: boolean } = {}) {
  const store = options.store ?? openStore(mkdtempSync(join(tmpdir(), 'sloth-state-module-')));
  const { ctx, lines } = testContext({
    signal: options.signal,
    services: options.noServices ? undefined : storeServices(() => store, store.dataDir),
  });
  return { ctx, store, lines };
}
