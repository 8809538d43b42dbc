/**
 * Items kept in order up to a byte budget: past it, the oldest are dropped (and counted). For output that must be
 * delivered again after a link comes back, where keeping all of it could exhaust memory.
 */
export class BoundedBacklog<T> {
  private items: { item: T; bytes: number }[] = [];
  private head = 0;
  private bytes = 0;
  /** How many items were dropped to stay within the budget. */
  dropped = 0;

  constructor(private readonly maxBytes: number) {}

  /** Appends `item`, which weighs `bytes`, dropping the oldest items while over the budget (never the newest). */
  push(item: T, bytes: number): void {
    this.items.push({ item, bytes });
    this.bytes += bytes;
    while (this.bytes > this.maxBytes && this.items.length - this.head > 1) {
      this.bytes -= this.items[this.head]?.bytes ?? 0;
      this.head += 1;
      this.dropped += 1;
    }
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  /** The items kept, oldest first. */
  list(): T[] {
    return this.items.slice(this.head).map((e) => e.item);
  }

  /** How many items are kept. */
  get size(): number {
    return this.items.length - this.head;
  }
}
