import type { MessageInitShape } from '@bufbuild/protobuf';
import { Code, ConnectError, type ServiceImpl } from '@connectrpc/connect';
import type { DashboardService, EventViewSchema } from '@sloth/proto';
import { EVENT_STATUSES, type EventRecord, type EventStatus, eventRepo, type Store } from '@sloth/store-sqlite';
import { changes, stateKey } from './change-feed.js';
import { hookExecutionView } from './hooks-service.js';
import { listLimit } from './list-limit.js';

/** The Events screen's calls: the queue (filtered), and one event with its hook executions. */
export function eventsService(store: Store): Partial<ServiceImpl<typeof DashboardService>> {
  const events = () => eventRepo(store);
  return {
    async *watchEvents(req, ctx) {
      if (req.status !== '' && !EVENT_STATUSES.includes(req.status as EventStatus))
        throw new ConnectError(`unknown event status '${req.status}': use ${EVENT_STATUSES.join(', ')}`, Code.InvalidArgument);
      const filter = {
        type: req.type || undefined,
        status: (req.status || undefined) as EventStatus | undefined,
        source: req.source || undefined,
        runId: req.runId || undefined,
        limit: listLimit(req.limit),
      };
      const list = () => events().list(filter).map(eventView);
      for await (const list_ of changes(store, list, stateKey, ctx.signal)) yield { events: list_ };
    },
    async *watchEvent(req, ctx) {
      // An id, or a prefix of one as `events show` takes it.
      const id = events().find(req.id)?.id;
      if (id === undefined)
        throw new ConnectError(
          `no event ${req.id} is in the queue of this data directory (\`sloth-runner events cleanup\` may have removed it)`,
          Code.NotFound,
        );
      const state = () => {
        const e = events().find(id);
        return (
          e && {
            event: eventView(e),
            executions: events()
              .executionsOf(id)
              .map((x) => hookExecutionView(x, e.type)),
          }
        );
      };
      for await (const s of changes(store, state, stateKey, ctx.signal)) {
        // Cleaned up while the page was open: what it shows is the last there was.
        if (!s) return;
        yield s;
      }
    },
  };
}

/** An event as the dashboard sends it: never its data (it may hold values a workflow or an agent put there). */
function eventView(e: EventRecord): MessageInitShape<typeof EventViewSchema> {
  return {
    id: e.id,
    type: e.type,
    source: e.source,
    stack: e.stack ?? '',
    runId: e.runId ?? '',
    status: e.status,
    attempts: e.attempts,
    error: e.error ?? '',
    createdAtMs: BigInt(e.createdAt),
    processedAtMs: BigInt(e.processedAt ?? 0),
  };
}
