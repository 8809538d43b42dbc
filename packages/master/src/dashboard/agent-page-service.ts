import { Code, ConnectError, type ServiceImpl } from '@connectrpc/connect';
import { didYouMean } from '@sloth/core';
import type { DashboardService } from '@sloth/proto';
import { changes, stateKey } from './change-feed.js';
import { agentSamples, type DashboardSources } from './dashboard-service.js';

/** Heartbeat samples an agent's page gets at most: the latest ones (two hours at the default one a minute). */
export const AGENT_PAGE_SAMPLES = 120;

/**
 * An agent's page: the agent as the Agents screen has it (its system info is its last heartbeat's) and the heartbeat
 * samples the master kept, sent again on each change (a heartbeat, a new sample). `sloth-runner ui` reads the samples
 * its master wrote in the data directory, or asks the master it was given with --master.
 */
export function agentPageService(sources: DashboardSources): Partial<ServiceImpl<typeof DashboardService>> {
  return {
    async *watchAgent(req, ctx) {
      const find = () => sources.agents().find((a) => a.name === req.name);
      requireAgent(sources, req.name);
      const state = () => ({
        agent: find(),
        samples: agentSamples(sources, req.name, AGENT_PAGE_SAMPLES),
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
