/** How long an agent is idle before it prepares a sandbox: longer than the gaps between the steps of a run. */
const IDLE_MS = 100;

/**
 * One Lua sandbox kept ready for the next delegated run, so that its first task only loads the file (binding the
 * modules is most of the rest). It is made once the agent has had no work for a moment, and only after `supply`
 * said how (the first task loads the Lua engine: an agent that never runs one stays small).
 */
export class SandboxReserve<S extends { close(): void }> {
  private make: (() => Promise<S>) | undefined;
  private ready: Promise<S | undefined> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly idleMs = IDLE_MS) {}

  /** How to make a sandbox (told by the first task, once the Lua engine is loaded). */
  supply(make: () => Promise<S>): void {
    this.make ??= make;
  }

  /** Work started: nothing is prepared while the agent is busy. */
  busy(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** No work runs: a sandbox is made after a moment, unless one is ready. */
  idle(): void {
    if (this.closed || this.ready || !this.make) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.prepare(), this.idleMs);
    this.timer.unref();
  }

  /** The sandbox made ahead (waiting for it if it is being made), or undefined; the next is made when idle again. */
  take(): Promise<S | undefined> {
    const ready = this.ready;
    this.ready = undefined;
    return ready ?? Promise.resolve(undefined);
  }

  /** Frees the sandbox that is ready (the agent stops); none is made afterwards. */
  async close(): Promise<void> {
    this.closed = true;
    this.busy();
    (await this.take())?.close();
  }

  private prepare(): void {
    this.timer = undefined;
    const make = this.make;
    if (this.closed || this.ready || !make) return;
    // A sandbox that cannot be made is not worth an error here: the task that needs one makes its own and reports.
    this.ready = make().catch(() => undefined);
  }
}
