export { AgentMetricsRepo, type AgentMetricsSample, agentMetricsRepo } from './agent-metrics-repo.js';
export {
  type AgentHeartbeat,
  type AgentRecord,
  AgentRepo,
  type AgentWorkOutcome,
  type AgentWorkRecord,
  type AgentWorkStatus,
  agentRepo,
} from './agent-repo.js';
export { newEventId } from './event-id.js';
export { EventOutboxRepo, eventOutboxRepo } from './event-outbox-repo.js';
export {
  type ClaimedEvent,
  EVENT_STATUSES,
  type EventFilter,
  type EventMetaInput,
  type EventOutcome,
  type EventRecord,
  EventRepo,
  type EventStatus,
  encodeEventData,
  eventRepo,
  type ForwardedEvent,
  type HookExecutionRecord,
  type LeaseOwner,
  MAX_EVENT_DATA_BYTES,
  MAX_EVENT_DEPTH,
} from './event-repo.js';
export { type HookInput, type HookRecord, HookRepo, type HookSummary, hookRepo } from './hook-repo.js';
export {
  acquireLease,
  describeHolder,
  forceReleaseLease,
  type LeaseHolder,
  leaseHolder,
  pidIsDead,
  releaseLease,
  renewLease,
  tryAcquireLease,
} from './leases.js';
export { defaultDataDir, openStore, type Store, type StoreDb, storeError, storeFile, withStoreErrors } from './open-store.js';
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
export { watchWrites } from './write-watch.js';
