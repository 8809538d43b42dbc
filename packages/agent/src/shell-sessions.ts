import { accessSync, constants } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { errorMessage, pidIsDead } from '@sloth/core/internal';
import type { OpenShell, ShellDown, ShellUpSchema } from '@sloth/proto';
import { hangUpSession } from './hang-up.js';

type ShellUpInit = MessageInitShape<typeof ShellUpSchema>;
type PtyModule = typeof import('@lydell/node-pty');
type Pty = import('@lydell/node-pty').IPty;

/**
 * Output bytes sent and not yet written by the caller (ShellDown.consumed) past which the terminal is not read: the
 * program writing then blocks, as on a slow terminal, instead of the backlog filling the master's memory (and Ctrl-C
 * waiting behind it).
 */
export const OUTPUT_WINDOW_BYTES = 1024 * 1024;
/**
 * How often a paused terminal checks that its shell still runs. The pty library reads a terminal to its end only for
 * 200 ms after its process exits, then drops the rest: a paused one must resume at once when the shell is gone (it
 * can still lose the last few KiB when the end of the terminal is seen while they wait in the stream's buffer).
 */
const PAUSED_EXIT_CHECK_MS = 10;

interface Session {
  /** The pseudo-terminal once it is spawned; undefined when it could not be. Messages chain on it, so they stay in order. */
  pty: Promise<Pty | undefined>;
  /** Settles when the shell has exited (or never started) and the rest of its terminal session is gone. */
  ended: Promise<void>;
  /** Set when the agent itself ended the session: the exit carries it as its error. */
  closedFor?: string;
  /** The hang-up of its terminal session, once begun (closed, or the shell exited). */
  hangUp?: Promise<void>;
  /** Output bytes sent that the caller has not said it wrote; the terminal is not read while paused. */
  unacked: number;
  paused: boolean;
  /** While paused: watches for the shell's exit (see PAUSED_EXIT_CHECK_MS). */
  exitWatch?: NodeJS.Timeout;
}

/** The terminal-size bounds a pseudo-terminal accepts. */
function cells(n: number | undefined, fallback: number): number {
  return n !== undefined && n > 0 ? Math.min(n, 10_000) : fallback;
}

/**
 * The interactive shells (`agent shell`) an agent runs, one per session id, each in a pseudo-terminal of its own (the
 * shell leads a new terminal session there). A session ends when its shell exits, or when the master closes it; either
 * way its whole terminal session is hung up (SIGHUP, then SIGKILL), so nothing outlives it.
 */
export class ShellSessions {
  private readonly sessions = new Map<string, Session>();
  /** The native module, loaded with the first shell: an agent that never opens one never loads it. */
  private ptyModule: Promise<PtyModule> | undefined;

  constructor(
    private readonly send: (up: ShellUpInit) => void,
    private readonly log: (level: 'info' | 'debug' | 'warn', message: string) => void,
  ) {}

  /** Shells running now. */
  get size(): number {
    return this.sessions.size;
  }

  /** Whether a session's terminal is not read now, waiting for its caller to catch up. */
  paused(id: string): boolean {
    return this.sessions.get(id)?.paused ?? false;
  }

  /** Handles one message from the master about a shell session. */
  handle(msg: ShellDown): void {
    const id = msg.sessionId;
    const body = msg.msg;
    if (body.case === 'open') {
      if (!this.sessions.has(id)) this.open(id, body.value);
      return;
    }
    const s = this.sessions.get(id);
    if (!s) return;
    switch (body.case) {
      case 'input': {
        const data = Buffer.from(body.value);
        // With `encoding: null` the pty writes bytes as they are; its typings only mention strings.
        void s.pty.then((p) => p?.write(data as unknown as string));
        return;
      }
      case 'resize': {
        const { cols, rows } = body.value;
        void s.pty.then((p) => p?.resize(cells(cols, p.cols), cells(rows, p.rows)));
        return;
      }
      case 'close':
        this.close(id, body.value || 'closed by the master');
        return;
      case 'consumed':
        s.unacked = Math.max(0, s.unacked - body.value);
        if (s.paused && s.unacked <= OUTPUT_WINDOW_BYTES / 2) void s.pty.then((p) => p && resume(s, p));
        return;
    }
  }

  /** Ends every shell (the stream to the master is gone, or the agent stops); resolves when they have exited. */
  async closeAll(reason: string): Promise<void> {
    const ended = [...this.sessions.entries()].map(([id, s]) => {
      this.close(id, reason);
      return s.ended;
    });
    await Promise.all(ended);
  }

  private open(id: string, req: OpenShell): void {
    let markEnded = () => {};
    const session: Session = {
      pty: Promise.resolve(undefined),
      unacked: 0,
      paused: false,
      ended: new Promise<void>((resolve) => {
        markEnded = resolve;
      }),
    };
    this.sessions.set(id, session);
    const finish = (exitCode: number, error: string) => {
      if (this.sessions.get(id) !== session) return;
      this.sessions.delete(id);
      this.send({ sessionId: id, msg: { case: 'exit', value: { exitCode, error: session.closedFor ?? error } } });
      this.log('info', `shell session ${id} ended (exit code ${exitCode}${session.closedFor ? `: ${session.closedFor}` : ''})`);
    };
    session.pty = this.spawn(req)
      .then((pty) => {
        pty.onData((chunk) => {
          if (this.sessions.get(id) !== session) return;
          // With `encoding: null` the pty gives bytes; its typings only mention strings.
          const data = chunk as unknown as Buffer;
          this.send({ sessionId: id, msg: { case: 'output', value: data } });
          session.unacked += data.length;
          if (!session.paused && session.unacked > OUTPUT_WINDOW_BYTES) {
            session.paused = true;
            pty.pause();
            session.exitWatch = setInterval(() => {
              if (pidIsDead(pty.pid)) resume(session, pty);
            }, PAUSED_EXIT_CHECK_MS);
          }
        });
        pty.onExit(({ exitCode, signal }) => {
          clearInterval(session.exitWatch);
          finish(signal ? 128 + signal : exitCode, '');
          // What the shell left running in its terminal (background jobs) ends with it.
          session.hangUp ??= hangUpSession(pty.pid);
          void session.hangUp.then(markEnded);
        });
        this.log('info', `shell session ${id} started (pid ${pty.pid})`);
        return pty;
      })
      .catch((err) => {
        finish(127, `cannot start a shell on this agent: ${errorMessage(err)}`);
        markEnded();
        return undefined;
      });
  }

  private close(id: string, reason: string): void {
    const s = this.sessions.get(id);
    if (!s || s.closedFor !== undefined) return;
    s.closedFor = reason;
    // Chained on the spawn: a shell closed while it was starting is hung up as soon as it exists.
    void s.pty.then((p) => {
      if (p) s.hangUp ??= hangUpSession(p.pid);
    });
  }

  private async spawn(req: OpenShell): Promise<Pty> {
    this.ptyModule ??= import('@lydell/node-pty');
    const { spawn } = await this.ptyModule;
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
    // The agent's own credential is not the shell's business.
    delete env.SLOTH_TOKEN;
    env.TERM = req.term || 'xterm-256color';
    const shell = loginShell();
    // The terminal's child reports a failed exec only as exit code 1: say what is wrong instead.
    try {
      accessSync(shell, constants.X_OK);
    } catch (err) {
      throw new Error(`the shell ${shell} cannot be run (${(err as NodeJS.ErrnoException).code ?? errorMessage(err)})`);
    }
    return spawn(shell, [], {
      name: env.TERM,
      cols: cells(req.size?.cols, 80),
      rows: cells(req.size?.rows, 24),
      cwd: homeDir(),
      env,
      encoding: null,
    });
  }
}

/** Reads the terminal again. */
function resume(s: Session, pty: Pty): void {
  if (!s.paused) return;
  s.paused = false;
  clearInterval(s.exitWatch);
  pty.resume();
}

/** The shell to run: $SHELL of the agent, else the user's login shell, else /bin/sh. */
function loginShell(): string {
  if (process.env.SHELL) return process.env.SHELL;
  try {
    const shell = userInfo().shell;
    if (shell) return shell;
  } catch {
    // no passwd entry (a container's arbitrary uid)
  }
  return '/bin/sh';
}

/** Where the shell starts: the user's home directory, as over ssh (else the agent's own). */
function homeDir(): string {
  try {
    return homedir() || process.cwd();
  } catch {
    return process.cwd();
  }
}
