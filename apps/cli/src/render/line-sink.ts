import { maskSecrets } from '@sloth/core/internal';

/** Buffers output lines and writes them in batches: a task printing millions of lines must not cost a syscall each. */
export class LineSink {
  private buffer: string[] = [];
  private size = 0;
  private scheduled = false;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly beforeFlush: () => void = () => {},
    private readonly afterFlush: () => void = () => {},
  ) {}

  /** Every line a renderer prints comes here: secrets read by this run are masked (load-time log lines too). */
  write(raw: string): void {
    const line = maskSecrets(raw);
    this.buffer.push(line);
    this.size += line.length;
    if (this.size > 256 * 1024) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.scheduled = false;
    if (this.buffer.length === 0) return;
    this.beforeFlush();
    this.stream.write(`${this.buffer.join('\n')}\n`);
    this.buffer = [];
    this.size = 0;
    this.afterFlush();
  }
}
