export {
  acquireLease,
  describeHolder,
  forceReleaseLease,
  type LeaseHolder,
  leaseHolder,
  releaseLease,
  renewLease,
  tryAcquireLease,
} from './leases.js';
export { defaultDataDir, openStore, type Store, type StoreDb, storeError } from './open-store.js';
export * as schema from './schema.js';
export * from './stack-repo.js';
export * from './stack-run.js';
export {
  STATE_LOCK_PREFIX,
  type StateEntry,
  StateRepo,
  type StateStats,
  stateRepo,
  TTL_MISSING,
  TTL_NONE,
} from './state-repo.js';
export { decodeStateValue, encodeStateValue, sameStateValue } from './state-value.js';
