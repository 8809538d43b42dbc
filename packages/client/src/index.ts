// @sloth/client: what talks to a master (agents, the CLI), without the server; the master uses its error and
// work-status mapping and the system-info reader too (it samples its own machine), so both sides of the contract
// share one copy.

export { Code, ConnectError, createClient } from '@connectrpc/connect';
export {
  type Agent,
  Agent_Status,
  ControlService,
  counterRate,
  type GetAgentMetricsResponse,
  type RunTaskResponse,
  type RunTasksResponse,
  type Schedule,
  type ScheduleRun,
  type SystemInfo,
  type WorkOutput,
  WorkOutput_Stream,
  type WorkResult,
} from '@sloth/proto';
export { type DaemonLogLevel, daemonLog } from './daemon-log.js';
export { DEFAULT_MASTER_PORT, looksLikeAddress, masterBaseUrl } from './master-address.js';
export {
  agentClient,
  bearerAuth,
  type ControlClient,
  controlClient,
  type MasterConnection,
  type MasterTransport,
  masterTransport,
  type PingOptions,
  type ShellRequestInit,
} from './master-client.js';
export { type NetCounters, PROC_NET_DEV, parseNetDev, readNetCounters } from './net-counters.js';
export { fromRpcError, slothErrorsToConnect, toConnectError } from './rpc-errors.js';
export { collectSystemInfo } from './system-info.js';
export { readPem, resolveToken, type TokenSources } from './token-source.js';
export { fromWorkFailed, toWorkFailed, WORK_STATUS_KEY, workVerdict } from './work-status.js';
