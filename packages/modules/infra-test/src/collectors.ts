import type { AssertionRecord } from '@sloth/core';

// The records of the soft and eventually blocks running now, by id. A block ends by taking its list back (its Lua side
// ends it whether its function returned or raised); one a stopped task never ended is dropped after a bound.
const open = new Map<number, AssertionRecord[]>();
const MAX_OPEN = 10_000;
let nextId = 1;

/** Starts a block: records made in it go to its list. */
export function openCollector(): number {
  if (open.size >= MAX_OPEN) open.delete(open.keys().next().value as number);
  const id = nextId++;
  open.set(id, []);
  return id;
}

/** Adds a record to a block's list; false when the block is not open (it ended). */
export function collect(id: number, record: AssertionRecord): boolean {
  const list = open.get(id);
  if (!list) return false;
  list.push(record);
  return true;
}

/** Ends a block and hands back its records. */
export function closeCollector(id: number): AssertionRecord[] {
  const list = open.get(id) ?? [];
  open.delete(id);
  return list;
}

/** The records of an open block so far. */
export function peekCollector(id: number): readonly AssertionRecord[] {
  return open.get(id) ?? [];
}
