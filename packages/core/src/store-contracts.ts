// The stores the engine and the modules use, as interfaces: @sloth/store-sqlite implements them over one SQLite file
// per data directory; a store over a network database (several masters sharing one fleet) implements the same ones.

/**
 * A value now or later. Methods a network database would answer later return this: the SQLite store answers at once,
 * which keeps the hottest calls (state.set from Lua) free of a promise each; callers await when they compose calls.
 */
export type Awaitable<T> = T | Promise<T>;

/** `fn` of an awaitable's value: at once for a value, once settled for a promise (a synchronous store stays so). */
export function mapAwaitable<T, U>(value: Awaitable<T>, fn: (value: T) => U): Awaitable<U> {
  return value instanceof Promise ? value.then(fn) : fn(value);
}

/** Where an event comes from, when the caller knows better than the sink's defaults. */
export interface EventMeta {
  source?: string | undefined;
  stack?: string | undefined;
  runId?: string | undefined;
}

/** The event queue as modules see it: dispatch persists the event (before it returns) and gives its id. */
export interface EventSink {
  /**
   * Synchronous on purpose: the engine records its own events from its run observer, which cannot wait, and an event
   * must be stored when dispatch returns. A store on a network database journals locally first and forwards, as an
   * agent's event outbox does.
   */
  dispatch(type: string, data: Record<string, unknown>, meta?: EventMeta): string;
}

/** One live key of the state, as `state list` and `state get` show it. */
export interface StateEntry {
  key: string;
  value: unknown;
  /** Milliseconds since the epoch, or null when the key never expires. */
  expiresAt: number | null;
  /** Starts at 1 and grows with every change of the value. */
  version: number;
  updatedAt: number;
}

/** What `state.stats()` reports. */
export interface StateStats {
  keys: number;
  withTtl: number;
  /** Total length of the stored JSON values. */
  bytes: number;
  /** Expired keys removed by the sweep this call ran. */
  expiredRemoved: number;
  /** State locks (`state.lock`) currently held. */
  locks: number;
  /** Where the state is kept (the database file). */
  path: string;
}

/** `ttl()` of a key that does not exist (or has expired), as Redis answers. */
export const TTL_MISSING = -2;
/** `ttl()` of a key that never expires, as Redis answers. */
export const TTL_NONE = -1;
/** Lease names of state locks start with this, so they never collide with stack locks in the same table. */
export const STATE_LOCK_PREFIX = 'state:';

/**
 * Key-value state shared by every process on the data: values are JSON-able, expired keys are absent on every read,
 * and every read-modify-write (increment, compare_swap, append) is atomic across processes.
 */
export interface StateStore {
  /** Sets `key`, replacing its expiry: `ttlMs` from now, or never. A nil value deletes the key. */
  set(key: string, value: unknown, ttlMs?: number): Awaitable<void>;
  /** The value of `key`, or undefined when it is absent or expired. */
  get(key: string): Awaitable<unknown>;
  /** The whole entry of a live key (value, expiry, version), or undefined. */
  entry(key: string): Awaitable<StateEntry | undefined>;
  exists(key: string): Awaitable<boolean>;
  /** Deletes `key`; true when it existed. */
  delete(key: string): Awaitable<boolean>;
  /** Live keys matching a glob (`*`, `?`, `[abc]`; case-sensitive), sorted. */
  keys(pattern?: string): Awaitable<string[]>;
  /** Live entries whose keys match a glob, sorted by key. */
  list(pattern?: string): Awaitable<StateEntry[]>;
  /** Deletes the keys matching a glob; returns how many. */
  clear(pattern?: string): Awaitable<number>;
  /** Adds `by` to a number (absent counts as 0) atomically and returns the result; `who` names the caller in errors. */
  increment(key: string, by?: number, now?: number, who?: string): Awaitable<number>;
  /** Replaces the value with `next` only if it equals `expected` (nil: absent); true when it swapped. */
  compareSwap(key: string, expected: unknown, next: unknown, ttlMs?: number): Awaitable<boolean>;
  /** Appends to a string or a list and returns the new length. */
  append(key: string, value: unknown): Awaitable<number>;
  /** Sets `key` only when it is absent (or expired); true when it did. */
  setIfAbsent(key: string, value: unknown, ttlMs?: number): Awaitable<boolean>;
  /** Whole seconds until `key` expires; TTL_NONE if it never does, TTL_MISSING if absent. */
  ttl(key: string): Awaitable<number>;
  /** Gives a live key an expiry `ttlMs` from now (0 deletes it); true when the key exists. */
  expire(key: string, ttlMs: number): Awaitable<boolean>;
  /** Removes the expiry of a live key; true when the key exists. */
  persist(key: string): Awaitable<boolean>;
  stats(): Awaitable<StateStats>;
}

/** Who holds a lease, for messages like "held by pid 123 on web-01 since 10:02". */
export interface LeaseHolder {
  name: string;
  token: string;
  host: string;
  pid: number;
  acquiredAt: number;
  expiresAt: number;
}

/** Named leases shared by every process on the data (state locks, a run's stack lock). */
export interface LeaseStore {
  /** False once the store is closed: its leases can be neither renewed nor released from here. */
  readonly open: boolean;
  /** Takes the lease if it is free, expired, or held by a dead process of this host; undefined when someone holds it. */
  tryAcquire(name: string, ttlMs: number): Awaitable<LeaseHolder | undefined>;
  /** Extends a lease we hold; false when it was lost. */
  renew(lease: LeaseHolder, ttlMs: number): Awaitable<boolean>;
  /** Releases a lease if `token` still holds it; true when it did. */
  release(name: string, token: string): Awaitable<boolean>;
  /** The current holder of a lease, if any and not expired. */
  holder(name: string): Awaitable<LeaseHolder | undefined>;
}

/** A resource recorded in a stack. */
export interface ResourceRecord {
  id: string;
  type: string;
  name: string;
  module: string | undefined;
  properties: Record<string, unknown>;
  propertiesHash: string;
  dependencies: string[];
  attributes: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
  lastExecutionId: string | undefined;
}

/** What register_resource found: a new resource, different properties, or the same ones. */
export type RegisterStatus = 'created' | 'changed' | 'unchanged';

export interface RegisterInput {
  type: string;
  name: string;
  module?: string | undefined;
  properties?: Record<string, unknown> | undefined;
  dependencies?: string[] | undefined;
}

/** The resources and outputs of stacks, as the stack module records them during a run. */
export interface StackStore {
  /** Records that this execution manages a resource; checkpointed at once. */
  registerResource(
    stackId: string,
    executionId: string,
    input: RegisterInput,
  ): Awaitable<{ status: RegisterStatus; resource: ResourceRecord }>;
  /** Merges `attributes` into the resource's; not_found when it is not registered. */
  updateResource(stackId: string, type: string, name: string, attributes: Record<string, unknown>): Awaitable<ResourceRecord>;
  getResource(stackId: string, type: string, name: string): Awaitable<ResourceRecord | undefined>;
  /** Removes a resource (recording the deletion in the execution); false when it was not there. */
  deleteResource(stackId: string, executionId: string | undefined, type: string, name: string): Awaitable<boolean>;
  setOutput(stackId: string, executionId: string | undefined, key: string, value: unknown): Awaitable<void>;
  getOutput(stackId: string, key: string): Awaitable<unknown>;
}

/** The data directory's secrets, decrypted on read (`secret.get`); values never leave through logs (see secret-mask). */
export interface SecretStore {
  /** The value of a secret, or undefined when there is none of that name. */
  get(name: string): string | undefined;
  /** Whether a secret of that name exists (no key is needed to know). */
  has(name: string): boolean;
  /** The names of the secrets, sorted. */
  names(): string[];
}
