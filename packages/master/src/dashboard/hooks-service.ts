import type { MessageInitShape } from '@bufbuild/protobuf';
import { Code, ConnectError, type ServiceImpl } from '@connectrpc/connect';
import type { DashboardService, HookExecutionViewSchema, HookViewSchema } from '@sloth/proto';
import { eventRepo, type HookExecutionRecord, type HookSummary, hookRepo, type Store } from '@sloth/store-sqlite';
import { audited, dashboardActor } from './audit.js';
import { changes, stateKey } from './change-feed.js';

/** Executions in a hook's history unless the call says: the latest this many, at most MAX_HISTORY. */
const DEFAULT_HISTORY = 20;
const MAX_HISTORY = 1000;

/** The Hooks screen's calls: the hooks, a hook's history, enabling and disabling one (audited). */
export function hooksService(store: Store): Partial<ServiceImpl<typeof DashboardService>> {
  return {
    async *watchHooks(_req, ctx) {
      const list = () =>
        hookRepo(store)
          .summaries()
          .map((h) => hookView(store, h));
      for await (const hooks of changes(store, list, stateKey, ctx.signal)) yield { hooks };
    },
    async *watchHookHistory(req, ctx) {
      // A removed hook keeps its history: only a name with neither is unknown.
      if (hookRepo(store).history(req.name, 1).length === 0) hookRepo(store).get(req.name);
      const limit = Math.min(req.limit || DEFAULT_HISTORY, MAX_HISTORY);
      const list = () =>
        hookRepo(store)
          .history(req.name, limit)
          .map((e) => executionView(store, e));
      for await (const executions of changes(store, list, stateKey, ctx.signal)) yield { executions };
    },
    setHookEnabled(req, ctx) {
      if (req.name === '') throw new ConnectError('name the hook to enable or disable', Code.InvalidArgument);
      const entry = {
        actor: ctx.values.get(dashboardActor),
        action: req.enabled ? 'hook.enable' : 'hook.disable',
        target: req.name,
      };
      const hook = audited(store, entry, () => hookRepo(store).setEnabled(req.name, req.enabled));
      const summary = hookRepo(store)
        .summaries()
        .find((h) => h.name === hook.name);
      return { hook: summary ? hookView(store, summary) : undefined };
    },
  };
}

function hookView(store: Store, h: HookSummary): MessageInitShape<typeof HookViewSchema> {
  return {
    name: h.name,
    eventType: h.eventType,
    stack: h.stack ?? '',
    enabled: h.enabled,
    path: h.path,
    timeoutMs: BigInt(h.timeoutMs),
    maxAttempts: h.maxAttempts,
    executions: h.executions,
    lastExecution: h.lastExecution ? executionView(store, h.lastExecution) : undefined,
    updatedAtMs: BigInt(h.updatedAt),
  };
}

function executionView(store: Store, e: HookExecutionRecord): MessageInitShape<typeof HookExecutionViewSchema> {
  return hookExecutionView(e, eventRepo(store).find(e.eventId)?.type ?? '');
}

/** A hook's execution for an event of type `eventType`, as the dashboard sends it. */
export function hookExecutionView(e: HookExecutionRecord, eventType: string): MessageInitShape<typeof HookExecutionViewSchema> {
  return {
    id: BigInt(e.id),
    eventId: e.eventId,
    eventType,
    hook: e.hook,
    attempt: e.attempt,
    success: e.success,
    output: e.output ?? '',
    error: e.error ?? '',
    durationMs: BigInt(e.durationMs),
    startedAtMs: BigInt(e.startedAt),
  };
}
