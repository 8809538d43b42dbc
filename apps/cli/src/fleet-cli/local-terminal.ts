import { spawnSync } from 'node:child_process';

/** The size of a terminal in character cells. */
export interface TerminalSize {
  cols: number;
  rows: number;
}

/** What the local terminal does for a remote shell. */
export interface TerminalHandlers {
  input: (data: Uint8Array) => void;
  resize: (size: TerminalSize) => void;
  /** Standard input ended (pipe mode only: a terminal never ends). */
  end: () => void;
}

/**
 * Our side of a remote shell. On a terminal: standard input goes raw (every key, Ctrl-C included, is a byte for the
 * remote shell, and nothing is echoed here), and window resizes are forwarded. Not a terminal (a pipe or a file):
 * bytes are forwarded as they are read and the size is $COLUMNS x $LINES or 80x24. `restore()` puts the terminal back
 * as it was; it is also run when the process exits, so no path leaves the terminal raw.
 */
export class LocalTerminal {
  readonly interactive: boolean;
  private restored = false;
  private readonly cleanups: (() => void)[] = [];

  constructor(
    private readonly stdin: NodeJS.ReadStream = process.stdin,
    private readonly stdout: NodeJS.WriteStream = process.stdout,
  ) {
    this.interactive = stdin.isTTY === true;
  }

  /** The size to open the remote terminal with. */
  size(): TerminalSize {
    if (this.stdout.isTTY && this.stdout.columns > 0 && this.stdout.rows > 0)
      return { cols: this.stdout.columns, rows: this.stdout.rows };
    return { cols: positive(process.env.COLUMNS, 80), rows: positive(process.env.LINES, 24) };
  }

  /** Starts forwarding input (raw on a terminal) and resizes. */
  start(h: TerminalHandlers): void {
    if (this.interactive) {
      this.stdin.setRawMode(true);
      // Node's raw mode keeps output processing (a "\n" printed becomes "\r\n"): the remote terminal already did that,
      // and full-screen programs there print a bare "\n" to move down a line. setRawMode(false) brings it back.
      spawnSync('stty', ['-opost'], { stdio: [this.stdin, 'ignore', 'ignore'] });
      const exitRestore = () => this.restore();
      process.on('exit', exitRestore);
      this.cleanups.push(() => process.off('exit', exitRestore));
    }
    const onData = (chunk: Buffer) => h.input(chunk);
    const onEnd = () => h.end();
    this.stdin.on('data', onData);
    this.stdin.on('end', onEnd);
    this.cleanups.push(() => {
      this.stdin.off('data', onData);
      this.stdin.off('end', onEnd);
    });
    if (this.stdout.isTTY) {
      // Node turns SIGWINCH into 'resize' on a terminal stdout.
      const onResize = () => h.resize(this.size());
      this.stdout.on('resize', onResize);
      this.cleanups.push(() => this.stdout.off('resize', onResize));
    }
    this.stdin.resume();
  }

  /** Writes what the remote terminal printed; `written` is called once it is out (a slow reader holds it back). */
  write(data: Uint8Array, written: () => void): void {
    this.stdout.write(data, () => written());
  }

  /** Stops reading and puts the terminal back in the mode it had. Safe to call twice. */
  restore(): void {
    if (this.restored) return;
    this.restored = true;
    for (const c of this.cleanups.splice(0)) c();
    if (this.interactive) {
      try {
        this.stdin.setRawMode(false);
      } catch {
        // the terminal is gone (hung up): nothing to restore
      }
    }
    this.stdin.pause();
  }
}

function positive(text: string | undefined, fallback: number): number {
  const n = Number(text);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}
