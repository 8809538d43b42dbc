import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '@sloth/core/store';
import { testContext } from '@sloth/core/testing';

export { call } from '@sloth/core/testing';

/** A module context with a real store in a fresh data directory (or none, with noServices). */
export function stateContext(options: { store?: Store; signal?: AbortSignal; noServices?: boolean } = {}) {
  const store = options.store ?? openStore(mkdtempSync(join(tmpdir(), 'sloth-state-module-')));
  const { ctx, lines } = testContext({ signal: options.signal, services: options.noServices ? undefined : { store } });
  return { ctx, store, lines };
}

/** The error a call raises (fails the test if it does not raise). */
export async function failure(promise: Promise<unknown>): Promise<Error & { code?: string; hint?: string }> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof Error)) throw new Error('expected the call to raise');
  return err;
}
