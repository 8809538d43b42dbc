import { type ModuleCallContext, SlothError } from '@sloth/core';

// Package managers do not run concurrently (the second one waits for, or fails on, the first one's lock), so the
// pkg calls of one thread that touch a host's packages run one at a time: tasks queue here rather than on dpkg's
// lock, and each reads the facts after the previous one changed them. Goroutines run on other threads, with their own
// queue: between those, apt-get's bounded wait for dpkg's lock is what serializes.
const tails = new Map<string, Promise<void>>();

/** Runs `work` once the previous pkg call on the same host has finished; gives up when the task is stopped. */
export async function serialized<T>(ctx: ModuleCallContext, work: () => Promise<T>): Promise<T> {
  const key = ctx.host.name;
  const previous = tails.get(key) ?? Promise.resolve();
  let release = () => {};
  const mine = new Promise<void>((resolve) => {
    release = resolve;
  });
  const tail = previous.then(() => mine);
  tails.set(key, tail);
  try {
    await waitOrAbort(previous, ctx);
    return await work();
  } finally {
    release();
    if (tails.get(key) === tail) tails.delete(key);
  }
}

function waitOrAbort(previous: Promise<void>, ctx: ModuleCallContext): Promise<void> {
  if (ctx.signal.aborted) return Promise.reject(stopped(ctx));
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(stopped(ctx));
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    previous.then(() => {
      ctx.signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}

const stopped = (ctx: ModuleCallContext) =>
  new SlothError('aborted', `${ctx.fn}: stopped while waiting for another pkg call on this host to finish`);
