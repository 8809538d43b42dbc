/** Runs, events and work in a list unless the call says: the latest this many. */
const DEFAULT_LIST = 100;
/** The most a call may ask for. */
const MAX_LIST = 1000;

/** How many items a list call gets: what it asked for (0: the default), at most MAX_LIST. */
export function listLimit(asked: number): number {
  return Math.min(asked || DEFAULT_LIST, MAX_LIST);
}
