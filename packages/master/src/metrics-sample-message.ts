import type { MessageInitShape } from '@bufbuild/protobuf';
import type { AgentMetricsSampleSchema } from '@sloth/proto';
import type { AgentMetricsSample } from '@sloth/store-sqlite';

/** A kept heartbeat sample as the API sends it (`agent metrics`, and an agent's page on the dashboard). */
export function metricsSampleMessage(s: AgentMetricsSample): MessageInitShape<typeof AgentMetricsSampleSchema> {
  return {
    atMs: BigInt(s.at),
    load1: s.load1,
    load5: s.load5,
    load15: s.load15,
    memoryTotalBytes: BigInt(s.memoryTotal),
    memoryFreeBytes: BigInt(s.memoryFree),
    diskTotalBytes: BigInt(s.diskTotal),
    diskFreeBytes: BigInt(s.diskFree),
    runningWork: s.runningWork,
    netRxBytes: BigInt(s.netRx),
    netTxBytes: BigInt(s.netTx),
    cpus: s.cpus,
  };
}
