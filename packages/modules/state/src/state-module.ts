import { defineModule } from '@sloth/core';
import { compareSwap, decrement, increment } from './atomic-functions.js';
import { lockFn, tryLock, unlock, withLock } from './lock-functions.js';
import { append, clear, del, exists, expire, get, keys, list, persist, set, setIfAbsent, stats, ttl } from './value-functions.js';

/** The `state` module: persistent key-value state shared by workflows and processes. */
export const stateModule = defineModule({
  name: 'state',
  importFrom: import.meta.url,
  doc: 'Persistent key-value state in the data directory: any Lua value, TTLs, atomic counters, compare-and-swap, locks.',
  functions: {
    set,
    get,
    delete: del,
    exists,
    keys,
    list,
    clear,
    increment,
    decrement,
    compare_swap: compareSwap,
    append,
    set_if_absent: setIfAbsent,
    ttl,
    expire,
    persist,
    lock: lockFn,
    try_lock: tryLock,
    unlock,
    with_lock: withLock,
    stats,
  },
});
