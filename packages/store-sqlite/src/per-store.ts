import { type Store, storeError } from './open-store.js';

/**
 * One object per Store, made on first use (repositories: their statements are prepared once per database). An error
 * while making it names the database.
 */
export function perStore<T extends object>(make: (store: Store) => T): (store: Store) => T {
  const made = new WeakMap<Store, T>();
  return (store) => {
    let value = made.get(store);
    if (!value) {
      try {
        value = make(store);
      } catch (err) {
        throw storeError(err, store.path);
      }
      made.set(store, value);
    }
    return value;
  };
}
