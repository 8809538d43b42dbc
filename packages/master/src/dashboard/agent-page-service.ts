import { Code, ConnectError, type ServiceImpl } from '@connectrpc/connect';
import { didYouMean } from '@sloth/core';
import type { DashboardService } from '@sloth/proto';
import { agentMetricsRepo } from '@sloth/store-sqlite';
import { metricsSampleMessage } from '../metrics-sample-message.js';
import { changes, stateKey } from './change-feed.js';
import type { DashboardSources } from './dashboard-service.js';

/** Heartbeat samples an agent's page gets at most: the latest ones (two hours at the default one a minute). */
export const AGENT_PAGE_SAMPLES = 120;

/**
 * An agent's page: the agent as the Agents screen has it (its system info is its last heartbeat's) and the heartbeat
 * samples the master kept in the data directory, sent again on each change (a heartbeat, a new sample). The samples
 * are read from the store, so `sloth-runner ui` shows those its master wrote.
 */
export function agentPageService(sources: DashboardSources): Partial<ServiceImpl<typeof DashboardService>> {
  return {
    async *watchAgent(req, ctx) {
      const find = () => sources.agents().find((a) => a.name === req.name);
      requireAgent(sources, req.name);
      const state = () => ({
        agent: find(),
        samples: agentMetricsRepo(sources.store).list(req.name, 0, AGENT_PAGE_SAMPLES).map(metricsSampleMessage),
      });
      for await (const s of changes(sources.store, state, stateKey, ctx.signal)) yield s;
    },
  };
}

/** Refuses (not_found, naming the nearest) an agent that never registered, or was deleted. */
export function requireAgent(sources: DashboardSources, name: string): void {
  const names = sources.agents().map((a) => a.name ?? '');
  if (!names.includes(name))
    throw new ConnectError(`no agent named '${name}' has registered${didYouMean(name, names)}`, Code.NotFound);
}
