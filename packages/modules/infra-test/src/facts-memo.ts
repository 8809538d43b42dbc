import type { Host, ModuleCallContext } from '@sloth/core';

/** However long a run of checks goes on, what it read is read again once it is this old. */
const MAX_AGE_MS = 1_000;

interface Memo {
  /** The serial of the check the memo serves now. */
  serial: number;
  startedAt: number;
  facts: Map<string, Promise<unknown>>;
}

// Per host object: each task has its own for this machine, and a host reached over SSH is another.
const memos = new WeakMap<Host, Memo>();

/**
 * Called as each check starts: a check that comes right after another on its host (no other module call in
 * between, as the binder numbers calls) keeps what the checks before it read; any other call, an eventually
 * attempt's wait, or a second gone by starts afresh.
 */
export function beginCheck(ctx: ModuleCallContext): void {
  const serial = ctx.callSerial;
  if (serial === undefined) return;
  const memo = memos.get(ctx.host);
  if (memo && memo.serial === serial - 1 && Date.now() - memo.startedAt < MAX_AGE_MS) memo.serial = serial;
  else memos.set(ctx.host, { serial, startedAt: Date.now(), facts: new Map() });
}

/**
 * A fact of the host (its process table, its listening sockets, its mounts): read once for a run of checks made
 * one after the other (see beginCheck), read every time otherwise. A read that fails is not kept.
 */
export function fact<T>(ctx: ModuleCallContext, name: string, read: () => Promise<T>): Promise<T> {
  const memo = memos.get(ctx.host);
  if (!memo || ctx.callSerial === undefined || memo.serial !== ctx.callSerial) return read();
  const known = memo.facts.get(name) as Promise<T> | undefined;
  if (known) return known;
  const reading = read();
  memo.facts.set(name, reading);
  reading.catch(() => memo.facts.delete(name));
  return reading;
}
