import { StringDecoder } from 'node:string_decoder';

/** A line longer than this is emitted in pieces. */
const MAX_LINE = 64 * 1024;

/** Where each output line goes as it arrives. */
export type OnOutputLine = (stream: 'stdout' | 'stderr', line: string) => void;

/** Keeps the first `limit` bytes of a stream and splits it into lines for live output. */
export class StreamCapture {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  truncated = false;
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';

  constructor(
    private readonly stream: 'stdout' | 'stderr',
    private readonly limit: number,
    private readonly onLine: OnOutputLine | undefined,
  ) {}

  push(chunk: Buffer): void {
    if (this.kept < this.limit) {
      const room = this.limit - this.kept;
      const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
      this.chunks.push(part);
      this.kept += part.length;
      if (part.length < chunk.length) this.truncated = true;
    } else {
      this.truncated = true;
    }
    if (!this.onLine) return;
    this.partial += this.decoder.write(chunk);
    let nl = this.partial.indexOf('\n');
    while (nl !== -1) {
      this.onLine(this.stream, this.partial.slice(0, nl).replace(/\r$/, ''));
      this.partial = this.partial.slice(nl + 1);
      nl = this.partial.indexOf('\n');
    }
    // A huge line without newlines is emitted in pieces rather than held whole.
    while (this.partial.length > MAX_LINE) {
      this.onLine(this.stream, this.partial.slice(0, MAX_LINE));
      this.partial = this.partial.slice(MAX_LINE);
    }
  }

  end(): void {
    if (!this.onLine) return;
    this.partial += this.decoder.end();
    if (this.partial.length > 0) this.onLine(this.stream, this.partial);
    this.partial = '';
  }

  /** The bytes kept, as they came (binary output intact). */
  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }

  text(): string {
    const body = Buffer.concat(this.chunks).toString('utf8');
    return this.truncated ? `${body}\n[output truncated: only the first ${this.limit} bytes were kept]` : body;
  }
}
