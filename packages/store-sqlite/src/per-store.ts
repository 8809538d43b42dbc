import type Database from 'better-sqlite3';
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

/** A repository's statements, keyed as its SQL texts are. */
export type Statements<S> = { [K in keyof S]: Database.Statement };

/** Prepares each of a repository's SQL texts on the store's connection (once: repositories are made per Store). */
export function prepareAll<S extends Record<string, string>>(store: Store, sql: S): Statements<S> {
  return Object.fromEntries(Object.entries(sql).map(([k, text]) => [k, store.sqlite.prepare(text)])) as Statements<S>;
}
