/** Wrong tokens allowed from one address within a window before its logins are refused until the window ends. */
export const MAX_FAILED_LOGINS = 10;
export const FAILED_LOGIN_WINDOW_MS = 60_000;
/** Addresses tracked at most (the oldest are forgotten first), so a flood of addresses cannot fill memory. */
const MAX_ADDRESSES = 10_000;

/** Slows down guessing the token: after MAX_FAILED_LOGINS wrong ones from an address, it waits out the window. */
export class LoginThrottle {
  private readonly failures = new Map<string, { count: number; since: number }>();

  /** How long `address` must wait before its next login is heard (0: now). */
  waitMs(address: string, now: number): number {
    const f = this.failures.get(address);
    if (!f) return 0;
    if (now - f.since >= FAILED_LOGIN_WINDOW_MS) {
      this.failures.delete(address);
      return 0;
    }
    return f.count >= MAX_FAILED_LOGINS ? f.since + FAILED_LOGIN_WINDOW_MS - now : 0;
  }

  /** Counts a wrong token from `address`. */
  failed(address: string, now: number): void {
    const f = this.failures.get(address);
    if (f && now - f.since < FAILED_LOGIN_WINDOW_MS) {
      f.count++;
      return;
    }
    this.failures.delete(address);
    if (this.failures.size >= MAX_ADDRESSES) this.failures.delete(this.failures.keys().next().value as string);
    this.failures.set(address, { count: 1, since: now });
  }
}
