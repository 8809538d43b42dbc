import { passphraseFromEnv, passphraseFromFile, SecretRepo, type Store } from '@sloth/store-sqlite';
import { openDataStore, withStore } from '../store-access.js';

/** Opens the store for one secret command and hands `fn` its secrets, under the passphrase given (flag, then env). */
export async function withSecrets<T>(
  flags: { 'data-dir'?: string | undefined; 'passphrase-file'?: string | undefined },
  fn: (repo: SecretRepo, store: Store) => T | Promise<T>,
): Promise<T> {
  const source = flags['passphrase-file'] ? passphraseFromFile(flags['passphrase-file']) : passphraseFromEnv();
  return withStore(flags['data-dir'], (store) => fn(new SecretRepo(store, source), store));
}

/**
 * The data directory's secret key as a cipher of values-file leaves (`-v` files with encrypted values), under the
 * passphrase the environment gives; close() closes the store it opened.
 */
export function openValueCipher(dataDir: string | undefined): { cipher: SecretRepo; close(): void } {
  const store = openDataStore(dataDir);
  return { cipher: new SecretRepo(store, passphraseFromEnv()), close: () => store.close() };
}
