import { create } from '@bufbuild/protobuf';
import { collectSystemInfo } from '@sloth/client';
import { errorMessage } from '@sloth/core/internal';
import { SystemInfoSchema } from '@sloth/proto';
import { MASTER_HOST_SAMPLES } from '@sloth/store-sqlite';
import type { MetricsHistory } from './metrics-history.js';

/**
 * Samples the master's own machine (load, memory, the disk of `diskPath`, network) into the metrics history, with the
 * reader agents use for their heartbeats: the first sample at once, then one per metrics interval, kept as long as the
 * agents' ones (the dashboard's overview charts it). Returns what stops it.
 */
export function sampleMasterHost(
  metrics: MetricsHistory,
  diskPath: string,
  log: (level: 'debug', message: string) => void,
): () => void {
  let stopped = false;
  const take = async () => {
    try {
      const system = create(SystemInfoSchema, await collectSystemInfo(diskPath));
      if (!stopped) metrics.offer(MASTER_HOST_SAMPLES, Date.now(), system, 0);
    } catch (err) {
      log('debug', `the master's own machine was not sampled: ${errorMessage(err)}`);
    }
  };
  void take();
  const timer = setInterval(() => void take(), metrics.policy.intervalMs);
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
