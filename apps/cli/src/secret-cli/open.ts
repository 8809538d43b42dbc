import { passphraseFromEnv, passphraseFromFile, type SecretRepo, type Store } from '@sloth/store-sqlite';
import { withStore } from '../store-access.js';

/** Opens the store for one secret command and hands `fn` its secrets, under the passphrase given (flag, then env). */
export async function withSecrets<T>(
  flags: { 'data-dir'?: string | undefined; 'passphrase-file'?: string | undefined },
  fn: (repo: SecretRepo, store: Store) => T | Promise<T>,
): Promise<T> {
  const { SecretRepo } = await import('@sloth/store-sqlite');
  const source = flags['passphrase-file'] ? passphraseFromFile(flags['passphrase-file']) : passphraseFromEnv();
  return withStore(flags['data-dir'], (store) => fn(new SecretRepo(store, source), store));
}
