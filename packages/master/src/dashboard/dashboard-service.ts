import type { MessageInitShape } from '@bufbuild/protobuf';
import { Code, ConnectError, type ServiceImpl } from '@connectrpc/connect';
import type { ModuleSpec } from '@sloth/core';
import type { AgentMetricsSampleSchema, DashboardService, RunSummarySchema } from '@sloth/proto';
import { agentMetricsRepo, auditRepo, type RunRecord, runRepo, type Store, stackRepo } from '@sloth/store-sqlite';
import type { AgentView } from '../agent-view.js';
import { metricsSampleMessage } from '../metrics-sample-message.js';
import type { AgentControl } from './agent-control.js';
import { agentControlService } from './agent-control-service.js';
import { agentPageService } from './agent-page-service.js';
import { agentWorkService } from './agent-work-service.js';
import { changes, stateKey, wakeups } from './change-feed.js';
import { eventsService } from './events-service.js';
import { hooksService } from './hooks-service.js';
import { listLimit } from './list-limit.js';
import { overviewService } from './overview-service.js';
import { secretsService } from './secrets-service.js';
import { stackPageService } from './stack-page-service.js';
import { stackViews } from './stack-views.js';
import { stacksService } from './stacks-service.js';

/** Log lines sent in one message at most; a longer log goes in several. */
const LINES_PER_MESSAGE = 2000;

/** Where the dashboard's data comes from. */
export interface DashboardSources {
  /** The data directory's store: runs, and the wake-up on each write. */
  store: Store;
  /** Every registered agent with its status now. */
  agents: () => AgentView[];
  /** An agent's kept heartbeat samples, oldest first: the latest `limit`. Default: those the store holds. */
  samples?: ((name: string, limit: number) => AgentSample[]) | undefined;
  /** Runs commands on the master's agents; none under `sloth-runner ui` without --master. */
  control?: AgentControl | undefined;
  /** Why the master of `ui --master` cannot be reached now (undefined while it can). */
  masterProblem?: (() => string | undefined) | undefined;
  /** The modules a stack's drift check reads resources back with (the CLI gives the built-in ones); none by default. */
  modules?: ModuleSpec[] | undefined;
}

/** One heartbeat sample as the dashboard sends it. */
export type AgentSample = MessageInitShape<typeof AgentMetricsSampleSchema>;

/** An agent's latest `limit` samples, oldest first, from the sources (the store's by default). */
export function agentSamples(sources: DashboardSources, name: string, limit: number): AgentSample[] {
  if (sources.samples) return sources.samples(name, limit);
  return agentMetricsRepo(sources.store).list(name, 0, limit).map(metricsSampleMessage);
}

/** DashboardService: every call streams the state now, then its changes, until the browser leaves. */
export function dashboardService(sources: DashboardSources): Partial<ServiceImpl<typeof DashboardService>> {
  const { store } = sources;
  const runs = () => runRepo(store);
  return {
    ...hooksService(store),
    ...agentControlService(store, sources.control),
    ...agentPageService(sources),
    ...agentWorkService(sources),
    ...eventsService(store),
    ...stacksService(store),
    ...stackPageService(store, sources.modules ?? []),
    ...overviewService(sources),
    ...secretsService(store),
    async *watchAudit(req, ctx) {
      const list = () =>
        auditRepo(store)
          .latest(listLimit(req.limit))
          .map((e) => ({ ...e, id: BigInt(e.id), atMs: BigInt(e.at), detail: e.detail ?? '' }));
      for await (const entries of changes(store, list, stateKey, ctx.signal)) yield { entries };
    },
    async *watchAgents(_req, ctx) {
      for await (const agents of changes(store, sources.agents, stateKey, ctx.signal)) yield { agents };
    },
    async *watchRuns(req, ctx) {
      const limit = listLimit(req.limit);
      const list = () => runs().latest(limit).map(runSummary);
      for await (const list_ of changes(store, list, stateKey, ctx.signal)) yield { runs: list_ };
    },
    async *watchRun(req, ctx) {
      if (!runs().get(req.id))
        throw new ConnectError(`no run ${req.id} is recorded in this data directory (it may have been forgotten)`, Code.NotFound);
      let seq = 0;
      let last: string | undefined;
      for await (const _ of wakeups(store, ctx.signal)) {
        const record = runs().get(req.id);
        if (!record) return;
        const run = runSummary(record);
        const tasks = runs()
          .tasks(req.id)
          .map(({ deps, ...t }) => ({
            ...t,
            durationMs: BigInt(t.durationMs ?? 0),
            error: t.error ?? '',
            agent: t.agent ?? '',
            dependsOn: deps,
          }));
        const k = stateKey([run, tasks]);
        // A long log goes in several messages before the next wake-up.
        for (;;) {
          const lines = runs().logs(req.id, seq, LINES_PER_MESSAGE);
          if (lines.length === 0 && k === last) break;
          last = k;
          seq = lines.at(-1)?.seq ?? seq;
          yield {
            run,
            tasks,
            lines: lines.map((l) => ({
              ...l,
              seq: BigInt(l.seq),
              atMs: BigInt(l.at),
              agent: l.agent ?? '',
              stream: l.stream ?? '',
            })),
          };
          if (lines.length < LINES_PER_MESSAGE) break;
        }
        // A finished run writes its last lines before its end: all of it was sent.
        if (record.status !== 'running') return;
      }
    },
    async *watchStacks(_req, ctx) {
      for await (const stacks of changes(store, () => stackViews(stackRepo(store)), stateKey, ctx.signal)) yield { stacks };
    },
  };
}

/** A run as the dashboard sends it. */
export function runSummary(r: RunRecord): MessageInitShape<typeof RunSummarySchema> {
  return {
    id: r.id,
    workflow: r.workflow,
    stack: r.stack ?? '',
    status: r.status,
    startedAtMs: BigInt(r.startedAt),
    finishedAtMs: BigInt(r.finishedAt ?? 0),
    // 0 until it ends (the page says running): a ticking duration would push the list every second.
    durationMs: BigInt(r.finishedAt === null ? 0 : Math.max(0, r.finishedAt - r.startedAt)),
    taskCount: r.taskCount,
    error: r.error ?? '',
  };
}
