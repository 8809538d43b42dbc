import type { MessageInitShape } from '@bufbuild/protobuf';
import { Code, ConnectError, type ServiceImpl } from '@connectrpc/connect';
import { maskSecrets } from '@sloth/core/internal';
import type { DashboardService, WorkViewSchema } from '@sloth/proto';
import { type AgentWorkRecord, agentRepo } from '@sloth/store-sqlite';
import { KEEP_FINISHED_WORK_DAYS } from '../work-tracker.js';
import { requireAgent } from './agent-page-service.js';
import { changes, stateKey, wakeups } from './change-feed.js';
import type { DashboardSources } from './dashboard-service.js';
import { listLimit } from './list-limit.js';

/**
 * An agent's Work tab: the work the master sent it (agent_work), and each piece's output as the master keeps it (its
 * last characters, flushed about each second while it runs). Read from the store, so `sloth-runner ui` shows what its
 * master recorded.
 */
export function agentWorkService(sources: DashboardSources): Partial<ServiceImpl<typeof DashboardService>> {
  const repo = () => agentRepo(sources.store);
  return {
    async *watchAgentWork(req, ctx) {
      requireAgent(sources, req.name);
      const limit = listLimit(req.limit);
      const list = () => repo().listWork(req.name, limit).map(workView);
      for await (const work of changes(sources.store, list, stateKey, ctx.signal)) yield { work };
    },
    async *watchWorkOutput(req, ctx) {
      if (!repo().getWork(req.id))
        throw new ConnectError(
          `no work ${req.id} is recorded in this data directory (a master forgets finished work after ${KEEP_FINISHED_WORK_DAYS} days)`,
          Code.NotFound,
        );
      /** How many characters of its output the page has (or was told were not kept). */
      let sent = 0;
      let last: string | undefined;
      for await (const _ of wakeups(sources.store, ctx.signal)) {
        const w = repo().getWork(req.id);
        if (!w) return;
        let output = '';
        let skipped = 0;
        if (w.outputChars > sent) {
          const tail = repo().workOutput(req.id) ?? { text: '', chars: sent };
          const start = tail.chars - tail.text.length;
          output = sent >= start ? tail.text.slice(sent - start) : tail.text;
          skipped = Math.max(0, start - sent);
          sent = tail.chars;
        }
        const work = { ...workView(w), outputChars: BigInt(sent) };
        const k = stateKey(work);
        if (k !== last || output !== '' || skipped > 0) {
          last = k;
          yield { work, output, skipped: BigInt(skipped) };
        }
        // The master keeps a work's output before its end: once ended, all of it was sent.
        if (w.status !== 'pending') return;
      }
    },
  };
}

/** A piece of work as the dashboard sends it: pending is running, and a command's text is masked. */
function workView(w: AgentWorkRecord): MessageInitShape<typeof WorkViewSchema> {
  const duration = w.durationMs ?? (w.finishedAt === null ? 0 : Math.max(0, w.finishedAt - w.createdAt));
  return {
    id: w.id,
    agent: w.agent,
    kind: w.kind,
    what: maskSecrets(w.what),
    status: w.status === 'pending' ? 'running' : w.status,
    exitCode: w.exitCode ?? undefined,
    error: maskSecrets(w.error ?? ''),
    durationMs: BigInt(duration),
    createdAtMs: BigInt(w.createdAt),
    finishedAtMs: BigInt(w.finishedAt ?? 0),
    outputChars: BigInt(w.outputChars),
  };
}
