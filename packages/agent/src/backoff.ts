/** Exponential backoff between reconnection attempts. */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** 0..1: each delay is spread uniformly over ±jitter of itself, so a fleet does not reconnect in lockstep. */
  jitter: number;
}

/** The delay before attempt `attempt` (0-based): initial * 2^attempt, capped at max, then jittered. */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const base = Math.min(options.maxMs, options.initialMs * 2 ** Math.min(attempt, 30));
  const spread = base * options.jitter * (random() * 2 - 1);
  return Math.max(0, Math.round(Math.min(options.maxMs, base + spread)));
}

/**
 * One agent's reconnection schedule: the delay doubles while connections fail, and starts again from the initial
 * delay after any connection that registered, however it ended (so every outage gets the same schedule).
 */
export class ReconnectSchedule {
  private attempt = 0;

  constructor(
    private readonly options: BackoffOptions,
    private readonly random: () => number = Math.random,
  ) {}

  /** The delay before the next attempt, given whether the connection that just ended had registered. */
  next(registered: boolean): number {
    if (registered) this.attempt = 0;
    return backoffDelay(this.attempt++, this.options, this.random);
  }
}
