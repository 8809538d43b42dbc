import type { ServiceImpl } from '@connectrpc/connect';
import type { ModuleSpec } from '@sloth/core';
import type { DashboardService } from '@sloth/proto';
import { detectDrift, driftedCount, type Store, stackRepo } from '@sloth/store-sqlite';
import { changes, stateKey } from './change-feed.js';
import { executionView, outputViews, stackView } from './stack-views.js';

/** Runs in a stack's history unless the call says (as `stack history`), and at most. */
const DEFAULT_HISTORY = 20;
const MAX_HISTORY = 1000;

/**
 * A stack's page: the stack with its outputs and history, live, and its drift checked on demand with `modules` (the
 * ones whose readResource reads a resource back, as `stack drift` does on this machine).
 */
export function stackPageService(store: Store, modules: ModuleSpec[]): Partial<ServiceImpl<typeof DashboardService>> {
  return {
    async *watchStack(req, ctx) {
      stackRepo(store).getStack(req.name);
      const limit = Math.min(req.historyLimit || DEFAULT_HISTORY, MAX_HISTORY);
      const page = () => {
        const repo = stackRepo(store);
        const s = repo.findStack(req.name);
        if (!s) return {};
        const history = repo.executions(s.id, limit);
        return {
          stack: stackView(s, repo.resources(s.id), history[0]),
          outputs: outputViews(repo.outputs(s.id)),
          history: history.map(executionView),
        };
      };
      for await (const value of changes(store, page, stateKey, ctx.signal)) yield value;
    },
    // A read, like `stack drift`: not in the audit log. Only the names of the differing properties leave the server.
    async checkStackDrift(req, ctx) {
      const repo = stackRepo(store);
      const entries = await detectDrift(repo.resources(repo.getStack(req.name).id), modules, ctx.signal);
      return {
        resources: entries.map((e) => ({
          type: e.type,
          name: e.name,
          module: e.module ?? '',
          status: e.status,
          properties: e.differences.map((d) => d.property),
          reason: e.reason ?? '',
        })),
        drifted: driftedCount(entries),
        checkedAtMs: BigInt(Date.now()),
      };
    },
  };
}
