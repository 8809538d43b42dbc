import { collectDefaultMetrics, Registry } from 'prom-client';

let registry: Registry | undefined;

/**
 * This process's own registry: its CPU, memory, event-loop lag and the like (prom-client's default metrics, named
 * sloth_process_* and sloth_nodejs_*), and the metrics workflows define with the `metrics` module. A master or an agent
 * exports it with its own families; created on first use, so a process that never exports metrics collects nothing.
 */
export function processRegistry(): Registry {
  if (!registry) {
    registry = new Registry();
    collectDefaultMetrics({ register: registry, prefix: 'sloth_' });
  }
  return registry;
}
