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
