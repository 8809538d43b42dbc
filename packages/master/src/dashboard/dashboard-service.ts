import type { MessageInitShape } from '@bufbuild/protobuf';
import { Code, ConnectError, type ServiceImpl } from '@connectrpc/connect';
import type { DashboardService, RunSummarySchema, StackViewSchema } from '@sloth/proto';
import { auditRepo, type RunRecord, runRepo, type Store, stackRepo } from '@sloth/store-sqlite';
import type { AgentView } from '../agent-view.js';
import type { Fleet } from '../fleet.js';
import { agentControlService } from './agent-control-service.js';
import { agentPageService } from './agent-page-service.js';
import { agentWorkService } from './agent-work-service.js';
import { changes, stateKey, wakeups } from './change-feed.js';
import { eventsService } from './events-service.js';
import { hooksService } from './hooks-service.js';
import { listLimit } from './list-limit.js';
import { overviewService } from './overview-service.js';
import { secretsService } from './secrets-service.js';
import { stacksService } from './stacks-service.js';

/** Resources sent per stack at most. */
const MAX_RESOURCES = 1000;
/** Log lines sent in one message at most; a longer log goes in several. */
const LINES_PER_MESSAGE = 2000;

/** Where the dashboard's data comes from. */
export interface DashboardSources {
  /** The data directory's store: runs, and the wake-up on each write. */
  store: Store;
  /** Every registered agent with its status now. */
  agents: () => AgentView[];
  /** The master's agents, to run commands on (agent control); none under `sloth-runner ui`. */
  fleet?: Fleet | undefined;
}

/** DashboardService: every call streams the state now, then its changes, until the browser leaves. */
export function dashboardService(sources: DashboardSources): Partial<ServiceImpl<typeof DashboardService>> {
  const { store } = sources;
  const runs = () => runRepo(store);
  return {
    ...hooksService(store),
    ...agentControlService(store, sources.fleet),
    ...agentPageService(sources),
    ...agentWorkService(sources),
    ...eventsService(store),
    ...stacksService(store),
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
      for await (const stacks of changes(store, () => stackViews(store), stateKey, ctx.signal)) yield { stacks };
    },
  };
}

/** Every stack with its resources (names only: properties may hold secrets) and its latest execution. */
function stackViews(store: Store): MessageInitShape<typeof StackViewSchema>[] {
  const repo = stackRepo(store);
  return repo.listStacks().map((s) => ({
    name: s.name,
    description: s.description ?? '',
    resourceCount: s.resources,
    lastWorkflow: s.lastExecution?.workflow ?? '',
    lastStatus: s.lastExecution?.status ?? '',
    lastStartedAtMs: BigInt(s.lastExecution?.startedAt ?? 0),
    updatedAtMs: BigInt(s.updatedAt),
    resources: repo
      .resources(s.id)
      .slice(0, MAX_RESOURCES)
      .map((r) => ({ type: r.type, name: r.name, module: r.module ?? '', updatedAtMs: BigInt(r.updatedAt) })),
  }));
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
