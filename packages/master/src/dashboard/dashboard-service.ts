import type { MessageInitShape } from '@bufbuild/protobuf';
import { Code, ConnectError, type ServiceImpl } from '@connectrpc/connect';
import type { DashboardService, RunSummarySchema } from '@sloth/proto';
import { type RunRecord, runRepo, type Store } from '@sloth/store-sqlite';
import type { AgentView } from '../agent-view.js';
import { changes, stateKey, wakeups } from './change-feed.js';

const DEFAULT_RUNS = 100;
const MAX_RUNS = 1000;
/** Log lines sent in one message at most; a longer log goes in several. */
const LINES_PER_MESSAGE = 2000;

/** Where the dashboard's data comes from. */
export interface DashboardSources {
  /** The data directory's store: runs, and the wake-up on each write. */
  store: Store;
  /** Every registered agent with its status now. */
  agents: () => AgentView[];
}

/** DashboardService: every call streams the state now, then its changes, until the browser leaves. */
export function dashboardService(sources: DashboardSources): Partial<ServiceImpl<typeof DashboardService>> {
  const { store } = sources;
  const runs = () => runRepo(store);
  return {
    async *watchAgents(_req, ctx) {
      for await (const agents of changes(store, sources.agents, stateKey, ctx.signal)) yield { agents };
    },
    async *watchRuns(req, ctx) {
      const limit = Math.min(req.limit || DEFAULT_RUNS, MAX_RUNS);
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
          .map((t) => ({ ...t, durationMs: BigInt(t.durationMs ?? 0), error: t.error ?? '', agent: t.agent ?? '' }));
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
  };
}

function runSummary(r: RunRecord): MessageInitShape<typeof RunSummarySchema> {
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
