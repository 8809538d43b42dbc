import type { ServiceImpl } from '@connectrpc/connect';
import { Agent_Status, type DashboardService } from '@sloth/proto';
import { eventRepo, MASTER_HOST_SAMPLES, runRepo } from '@sloth/store-sqlite';
import { changes, stateKey } from './change-feed.js';
import { agentSamples, type DashboardSources, runSummary } from './dashboard-service.js';

/** Agents the overview charts at most (by name), and the samples of each. */
export const OVERVIEW_AGENTS = 20;
export const OVERVIEW_SAMPLES = 60;
/** Runs the overview lists (latest, and failures), and how far back it looks for failures. */
const RECENT_RUNS = 10;
const FAILURES_AMONG = 100;
const NOT_FAILED = new Set(['running', 'success']);

/**
 * The home screen: the counts (agents by status, today's runs by status, the event queue), the latest samples of the
 * master's own machine and of each agent, and the latest runs and failures, all from the store's own queries (and the
 * master's agents), sent again on each change. Without a master (`sloth-runner ui`) the agents and the master's machine
 * are those a master recorded in the data directory.
 */
export function overviewService(sources: DashboardSources): Partial<ServiceImpl<typeof DashboardService>> {
  const { store } = sources;
  const master = sources.control !== undefined;
  return {
    async *watchOverview(req, ctx) {
      const since = req.sinceMs > 0n ? Number(req.sinceMs) : new Date().setHours(0, 0, 0, 0);
      const state = () => {
        const agents = [...sources.agents()].sort((a, b) => (a.name ?? '').localeCompare(b.name ?? ''));
        const active = agents.filter((a) => a.status === Agent_Status.ACTIVE).length;
        const latest = runRepo(store).latest(FAILURES_AMONG).map(runSummary);
        const queue = eventRepo(store).depth();
        const hostSamples = agentSamples(sources, MASTER_HOST_SAMPLES, OVERVIEW_SAMPLES);
        return {
          master,
          agentsActive: active,
          agentsInactive: agents.length - active,
          agents: agents.slice(0, OVERVIEW_AGENTS).map((agent) => ({
            agent,
            samples: agentSamples(sources, agent.name ?? '', OVERVIEW_SAMPLES),
          })),
          moreAgents: Math.max(0, agents.length - OVERVIEW_AGENTS),
          runsToday: runRepo(store).countsSince(since),
          eventsPending: queue.pending,
          eventsProcessing: queue.processing,
          eventsFailed: eventRepo(store).failedCount(),
          recentRuns: latest.slice(0, RECENT_RUNS),
          recentFailures: latest.filter((r) => !NOT_FAILED.has(r.status ?? '')).slice(0, RECENT_RUNS),
          masterProblem: sources.masterProblem?.() ?? '',
          masterHost: hostSamples.length > 0 ? { samples: hostSamples } : undefined,
        };
      };
      for await (const s of changes(store, state, stateKey, ctx.signal)) yield s;
    },
  };
}
