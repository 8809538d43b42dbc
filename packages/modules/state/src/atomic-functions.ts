import { arg, fn, maskDeep, z } from '@sloth/core/internal';
import { keyArg, ttlArg } from './args.js';
import { stateOf, ttlMs } from './state-access.js';

const byArg = arg('by', z.number().optional(), 'the step (default 1); may be negative or fractional');

export const increment = fn({
  doc:
    'Adds to a number atomically, even across processes, and returns the result. An absent key counts as 0; ' +
    'a key holding anything but a number is an error naming it. The key keeps its expiry.',
  args: [keyArg, byArg],
  returns: 'number: the new value',
  examples: ['local count = state.increment("deployment_count")', 'state.increment("bytes_sent", 512)'],
  run: ([key, by], ctx) => stateOf(ctx).increment(key, by ?? 1),
});

export const decrement = fn({
  doc: 'Subtracts from a number atomically and returns the result (see increment).',
  args: [keyArg, byArg],
  returns: 'number: the new value',
  examples: ['local left = state.decrement("slots_free")'],
  run: ([key, by], ctx) => stateOf(ctx).increment(key, -(by ?? 1), undefined, 'state.decrement'),
});

export const compareSwap = fn({
  doc:
    'Sets a key to `new` only if its value equals `expected` (tables compare by content), atomically across processes. ' +
    'expected = nil means "only if absent"; new = nil deletes. The key keeps its expiry unless a ttl is given.',
  args: [
    keyArg,
    arg('expected', z.unknown(), 'the value the key must hold now'),
    arg('new', z.unknown(), 'the value to store'),
    ttlArg,
  ],
  returns: 'boolean: true if it swapped',
  examples: [
    'state.compare_swap("status", "deploying", "deployed")',
    'if not state.compare_swap("release", current, nxt) then error("someone else changed the release") end',
  ],
  run: ([key, expected, next, ttl], ctx) =>
    stateOf(ctx).compareSwap(key, maskDeep(expected), maskDeep(next), ttlMs(ttl, `${ctx.fn}('${key}')`)),
});
