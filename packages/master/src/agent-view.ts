import type { MessageInitShape } from '@bufbuild/protobuf';
import { Agent_Status, type AgentSchema, type SystemInfo } from '@sloth/proto';
import type { AgentRecord } from '@sloth/store-sqlite';
import { effectiveLabels } from './agent-labels.js';
import { systemFromJson } from './system-info.js';

export type AgentView = MessageInitShape<typeof AgentSchema>;

/** What a live connection knows of an agent beyond its record. */
export interface AgentLiveState {
  active: boolean;
  lastSeen: number;
  system: SystemInfo | undefined;
  runningWork: number;
}

/** An agent as the API shows it: its stored record, with what its live connection knows over it. */
export function agentView(a: AgentRecord, live: AgentLiveState | undefined): AgentView {
  return {
    name: a.name,
    address: a.address,
    status: live?.active ? Agent_Status.ACTIVE : Agent_Status.INACTIVE,
    lastHeartbeatMs: BigInt(live ? Math.max(live.lastSeen, a.lastHeartbeat) : a.lastHeartbeat),
    registeredAtMs: BigInt(a.registeredAt),
    version: a.version,
    labels: effectiveLabels(a.labels, a.labelOverrides),
    system: live?.system ?? systemFromJson(a.system),
    runningWork: live?.runningWork ?? 0,
  };
}
