import { hostname } from 'node:os';
import { type ControlClient, ControlService, createClient, type MasterConnection, masterTransport } from '@sloth/client';
import { errorMessage, type RunEvent } from '@sloth/core';

/** Events waiting to be sent at most this long; a call carries at most BATCH of them. */
const SEND_EVERY_MS = 200;
const BATCH = 2000;
/** Events kept while the master is slow; past it the oldest log lines of the wait are dropped, said once. */
const MAX_WAITING = 50_000;
/** How long the end of a run waits for the last events to reach the master. */
const CLOSE_WAIT_MS = 10_000;
const CALL_TIMEOUT_MS = 15_000;

/**
 * Reports a run to the master as it goes (ReportRun), so the master's dashboard shows it: the engine's events (already
 * masked of secrets) in batches, one call at a time, in order, and a call without events as often as the master asks
 * while nothing happens, so that it can tell a run gone quiet from one whose CLI died. A master that cannot take them
 * never fails the run: the first failure is said once and reporting stops.
 */
export class MasterRunReporter {
  private readonly transport: ReturnType<typeof masterTransport>;
  private readonly client: ControlClient;
  private waiting: string[] = [];
  private sending: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private runId: string | undefined;
  private stopped = false;
  private dropped = false;
  /** How often the master wants to hear of the run while nothing happens (0: it does not), from its answers. */
  private keepAliveMs = 0;
  private keepAlive: NodeJS.Timeout | undefined;

  constructor(
    conn: MasterConnection,
    private readonly run: { workflow: string; stack: string },
    private readonly warn: (message: string) => void,
  ) {
    this.transport = masterTransport(conn);
    this.client = createClient(ControlService, this.transport.transport);
  }

  /** The run observer. */
  readonly observe = (e: RunEvent): void => {
    if (this.stopped) return;
    if (e.type === 'workflow.started') this.runId = e.runId;
    if (this.waiting.length >= MAX_WAITING) this.dropOldestLines();
    this.waiting.push(JSON.stringify(e));
    if (this.waiting.length >= BATCH) this.send();
    else this.timer ??= setTimeout(() => this.send(), SEND_EVERY_MS).unref();
  };

  /** Sends what is left (waiting at most CLOSE_WAIT_MS) and closes the link. */
  async close(): Promise<void> {
    // Events without the run's start (it never started) name no run: nothing to send.
    if (this.runId === undefined) this.waiting = [];
    const deadline = Date.now() + CLOSE_WAIT_MS;
    while (!this.stopped && (this.waiting.length > 0 || this.sending) && Date.now() < deadline) {
      this.send();
      await Promise.race([this.sending, new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())).unref())]);
    }
    if (!this.stopped && this.waiting.length > 0) this.warn('the end of the run did not reach the master in time');
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.keepAlive);
    this.transport.close();
  }

  /** Sends the waiting events; `alive`: a call even with none, so that the master knows the run goes on. */
  private send(alive = false): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.sending || this.stopped || this.runId === undefined) return;
    if (this.waiting.length === 0 && !alive) return;
    clearTimeout(this.keepAlive);
    const batch = this.waiting.splice(0, BATCH);
    this.sending = this.client
      .reportRun(
        {
          runId: this.runId,
          workflow: this.run.workflow,
          stack: this.run.stack,
          host: hostname(),
          pid: process.pid,
          eventsJson: batch,
        },
        { timeoutMs: CALL_TIMEOUT_MS },
      )
      .then(
        (res) => {
          this.keepAliveMs = res.keepAliveMs;
        },
        (err: unknown) => {
          this.stopped = true;
          this.waiting = [];
          this.warn(`this run is not reported to the master: ${errorMessage(err)}`);
        },
      )
      .finally(() => {
        this.sending = undefined;
        if (this.waiting.length >= BATCH) this.send();
        else if (this.waiting.length > 0) this.timer ??= setTimeout(() => this.send(), SEND_EVERY_MS).unref();
        else if (this.keepAliveMs > 0 && !this.stopped) {
          this.keepAlive = setTimeout(() => this.send(true), this.keepAliveMs).unref();
        }
      });
  }

  private dropOldestLines(): void {
    const at = this.waiting.findIndex((j) => j.startsWith('{"type":"task.log"'));
    if (at >= 0) this.waiting.splice(at, 1);
    if (!this.dropped) this.warn("the master is slow to take this run's log: some lines are not reported to it");
    this.dropped = true;
  }
}
