/**
 * An unbounded push/pull queue read as an async iterable: one side pushes as things happen, the other side
 * `for await`s. Used for RPC streams, where one handler writes while another reads. `close()` ends the iteration
 * after the items already pushed; `fail(err)` ends it with an error at once.
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private waiter: ((r: IteratorResult<T>) => void) | undefined;
  private failWaiter: ((err: unknown) => void) | undefined;
  private closed = false;
  private error: { err: unknown } | undefined;

  /** Adds an item; false (and dropped) when the queue is closed. */
  push(item: T): boolean {
    if (this.closed) return false;
    const waiter = this.waiter;
    if (waiter) {
      this.clearWaiter();
      waiter({ value: item, done: false });
    } else {
      this.items.push(item);
    }
    return true;
  }

  /** Ends the iteration once the pushed items are read. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const waiter = this.waiter;
    this.clearWaiter();
    waiter?.({ value: undefined, done: true });
  }

  /** Ends the iteration with `err`, dropping items not yet read. */
  fail(err: unknown): void {
    if (this.error) return;
    this.closed = true;
    this.error = { err };
    this.items.length = 0;
    const failWaiter = this.failWaiter;
    this.clearWaiter();
    failWaiter?.(err);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Items waiting to be read. */
  get size(): number {
    return this.items.length;
  }

  private clearWaiter(): void {
    this.waiter = undefined;
    this.failWaiter = undefined;
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => {
        if (this.error) return Promise.reject(this.error.err);
        if (this.items.length > 0) return Promise.resolve({ value: this.items.shift() as T, done: false });
        if (this.closed) return Promise.resolve({ value: undefined, done: true });
        return new Promise<IteratorResult<T>>((resolve, reject) => {
          this.waiter = resolve;
          this.failWaiter = reject;
        });
      },
      return: () => {
        this.close();
        this.items.length = 0;
        return Promise.resolve({ value: undefined, done: true });
      },
      throw: (err?: unknown) => {
        this.close();
        this.items.length = 0;
        return Promise.reject(err);
      },
    };
  }
}
