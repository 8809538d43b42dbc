export { AgentMetricsRepo, type AgentMetricsSample, agentMetricsRepo, MASTER_HOST_SAMPLES } from './agent-metrics-repo.js';
export {
  type AgentHeartbeat,
  type AgentRecord,
  AgentRepo,
  type AgentWorkOutcome,
  type AgentWorkRecord,
  type AgentWorkStatus,
  agentRepo,
  type WorkOutputChunk,
  type WorkOutputTail,
} from './agent-repo.js';
export { type AuditInput, type AuditRecord, AuditRepo, auditRepo } from './audit-repo.js';
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
export { LeaseRepo, leaseRepo } from './leases.js';
export { defaultDataDir, openStore, type Store, storeError, storeFile, withStoreErrors } from './open-store.js';
export {
  RUN_RETENTION_MS,
  type RunLogRecord,
  type RunRecord,
  RunRepo,
  type RunStart,
  type RunTaskEnd,
  type RunTaskRecord,
  runRepo,
} from './run-repo.js';
export {
  type CatchUpPolicy,
  type OverlapPolicy,
  type RunEnd,
  type ScheduleInput,
  type ScheduleRecord,
  ScheduleRepo,
  type ScheduleRunRecord,
  type ScheduleRunStatus,
  type ScheduleTrigger,
  scheduleRepo,
} from './schedule-repo.js';
export { passphraseFromEnv, passphraseFromFile, type SecretKeySource, secretKeyFile } from './secret-key.js';
export { checkSecretName, type SecretEntry, SecretRepo, secretRepo } from './secret-repo.js';
export * from './stack-admin.js';
export * from './stack-drift.js';
export * from './stack-repo.js';
export * from './stack-run.js';
export { StateRepo, stateRepo } from './state-repo.js';
export { decodeStateValue, encodeStateValue, sameStateValue } from './state-value.js';
export { type StoreServices, storeServices } from './store-services.js';
export { keepTail, WORK_OUTPUT_TAIL } from './work-output-tail.js';
export { watchWrites } from './write-watch.js';
