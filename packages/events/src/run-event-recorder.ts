import { type EventMeta, type EventSink, errorMessage, type RunEvent, type RunServices } from '@sloth/core/internal';
import { eventRepo, type HookRecord, type Store, storeServices } from '@sloth/store-sqlite';
import { engineEvent } from './engine-events.js';
import { RunRecorder } from './run-recorder.js';

/**
 * The event sink of one workflow run: event.dispatch and the engine's own events (workflow.*, task.*) are persisted
 * with the run's source ("workflow:<name>"), stack and run id. Persisting is one prepared insert; hooks run later on
 * a processor, never inline.
 */
export class RunEventRecorder implements EventSink {
  private workflow: string | undefined;
  private stack: string | undefined;
  /** The run id, known from workflow.started on. */
  runId: string | undefined;
  /** The run's own record (tasks and log lines), beside its events. */
  private readonly run: RunRecorder;

  constructor(
    private readonly store: () => Store,
    /** Told when an engine event cannot be persisted (the run goes on). */
    private readonly onError: (message: string) => void = () => {},
  ) {
    this.run = new RunRecorder(store, onError);
  }

  /** Names the workflow and stack the run records into, once they are known. */
  bind(workflow: string, stack: string | undefined): void {
    this.workflow = workflow;
    this.stack = stack;
  }

  dispatch(type: string, data: Record<string, unknown>, meta: EventMeta = {}): string {
    return eventRepo(this.store()).dispatch(type, data, {
      source: meta.source ?? (this.workflow ? `workflow:${this.workflow}` : 'cli'),
      stack: meta.stack ?? this.stack,
      runId: meta.runId ?? this.runId,
    });
  }

  /** The run observer: records the run (its tasks and log) and persists the engine events among what it reports. */
  readonly observe = (e: RunEvent): void => {
    this.run.observe(e, this.workflow ?? 'unknown', this.stack);
    if (e.type === 'task.log') return;
    if (e.type === 'workflow.started') this.runId = e.runId;
    const mapped = engineEvent(e, this.workflow ?? 'unknown');
    if (!mapped) return;
    try {
      this.dispatch(mapped.type, mapped.data, { runId: e.runId });
    } catch (err) {
      this.onError(`could not record event ${mapped.type}: ${errorMessage(err)}`);
    }
  };
}

/**
 * The services hook code gets: the store, and an event sink whose events come from `hook:<name>`, one level deeper
 * than the event the hook handles (`depth`): a chain longer than MAX_EVENT_DEPTH is refused, so hooks cannot loop.
 */
export function hookServices(store: Store): (hook: HookRecord, depth: number) => RunServices {
  return (hook, depth) =>
    Object.assign(
      storeServices(() => store, store.dataDir),
      {
        events: {
          dispatch: (type, data, meta) =>
            eventRepo(store).dispatch(type, data, {
              source: meta?.source ?? `hook:${hook.name}`,
              stack: meta?.stack,
              runId: meta?.runId,
              depth: depth + 1,
            }),
        } satisfies EventSink,
      },
    );
}
