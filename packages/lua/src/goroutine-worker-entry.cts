// The file piscina loads in each worker thread. Piscina require()s it; on Node 20 a require() of an ES module loads it
// synchronously, and terminating a thread in the middle of that aborts the whole process. This CommonJS entry loads
// the worker with import() instead, starting at once so the first goroutine does not wait for it.
const worker = import('./goroutine-worker.js');

export = async function runGoroutine(job: unknown): Promise<unknown> {
  return (await worker).default(job as never);
};
