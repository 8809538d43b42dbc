import { existsSync } from 'node:fs';
import type { EventMeta, EventSink } from '@sloth/core/internal';
import { eventOutboxRepo, type ForwardedEvent, openStore, type Store, storeFile } from '@sloth/store-sqlite';

/**
 * The events an agent's tasks dispatch, kept in the agent's data directory until its master acknowledges them. The
 * store is opened at the first event (or at start when an earlier process left one), so an agent that never
 * dispatches never loads SQLite.
 */
export class AgentOutbox {
  private store: Store | undefined;

  constructor(
    private readonly dataDir: string,
    /** Told of each new event once it is committed, to send it up the stream. */
    private readonly onAdded: (event: ForwardedEvent) => void,
  ) {}

  /** The sink a delegated task dispatches into: its run's stack and run id ride along. */
  sink(defaults: { stack?: string | undefined; runId?: string | undefined }): EventSink {
    return {
      dispatch: (type: string, data: Record<string, unknown>, meta?: EventMeta) => {
        const event = eventOutboxRepo(this.open()).add(type, data, {
          stack: meta?.stack ?? defaults.stack,
          runId: meta?.runId ?? defaults.runId,
        });
        this.onAdded(event);
        return event.id;
      },
    };
  }

  /** Events still waiting for an acknowledgement, oldest first (none when no store was ever written here). */
  pending(): ForwardedEvent[] {
    if (!this.store && !existsSync(storeFile(this.dataDir))) return [];
    return eventOutboxRepo(this.open()).pending();
  }

  /** The master stored these: forget them. */
  acknowledged(ids: readonly string[]): void {
    if (this.store) eventOutboxRepo(this.store).remove(ids);
  }

  /** Closes the store if it was opened. */
  close(): void {
    this.store?.close();
    this.store = undefined;
  }

  private open(): Store {
    this.store ??= openStore(this.dataDir);
    return this.store;
  }
}
