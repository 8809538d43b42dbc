import { homedir, userInfo } from 'node:os';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { errorMessage } from '@sloth/core';
import type { OpenShell, ShellDown, ShellUpSchema } from '@sloth/proto';

type ShellUpInit = MessageInitShape<typeof ShellUpSchema>;
type PtyModule = typeof import('@lydell/node-pty');
type Pty = import('@lydell/node-pty').IPty;

/** How long a closed shell's process group has after SIGHUP before it gets SIGKILL. */
const HANGUP_GRACE_MS = 2000;

interface Session {
  /** The pseudo-terminal once it is spawned; undefined when it could not be. Messages chain on it, so they stay in order. */
  pty: Promise<Pty | undefined>;
  /** Settles when the shell's process has exited (or never started). */
  exited: Promise<void>;
  /** Set when the agent itself ended the session: the exit carries it as its error. */
  closedFor?: string;
  /** The SIGKILL that follows a SIGHUP the shell ignored. */
  killTimer?: NodeJS.Timeout;
}

/** The terminal-size bounds a pseudo-terminal accepts. */
function cells(n: number | undefined, fallback: number): number {
  return n !== undefined && n > 0 ? Math.min(n, 10_000) : fallback;
}

/**
 * The interactive shells (`agent shell`) an agent runs, one per session id, each in a pseudo-terminal of its own (the
 * shell leads a new session and process group there). A session ends when its shell exits, or when the master closes
 * it; closing kills the shell's process group (SIGHUP, then SIGKILL), so nothing outlives its session.
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
    }
  }

  /** Ends every shell (the stream to the master is gone, or the agent stops); resolves when they have exited. */
  async closeAll(reason: string): Promise<void> {
    const ended = [...this.sessions.entries()].map(([id, s]) => {
      this.close(id, reason);
      return s.exited;
    });
    await Promise.all(ended);
  }

  private open(id: string, req: OpenShell): void {
    let markExited = () => {};
    const session: Session = {
      pty: Promise.resolve(undefined),
      exited: new Promise<void>((resolve) => {
        markExited = resolve;
      }),
    };
    this.sessions.set(id, session);
    const finish = (exitCode: number, error: string) => {
      if (this.sessions.get(id) !== session) return;
      this.sessions.delete(id);
      markExited();
      this.send({ sessionId: id, msg: { case: 'exit', value: { exitCode, error: session.closedFor ?? error } } });
      this.log('info', `shell session ${id} ended (exit code ${exitCode}${session.closedFor ? `: ${session.closedFor}` : ''})`);
    };
    session.pty = this.spawn(req)
      .then((pty) => {
        pty.onData((data) => {
          if (this.sessions.get(id) === session)
            this.send({ sessionId: id, msg: { case: 'output', value: data as unknown as Buffer } });
        });
        pty.onExit(({ exitCode, signal }) => {
          clearTimeout(session.killTimer);
          finish(signal ? 128 + signal : exitCode, '');
        });
        this.log('info', `shell session ${id} started (pid ${pty.pid})`);
        return pty;
      })
      .catch((err) => {
        finish(127, `cannot start a shell on this agent: ${errorMessage(err)}`);
        return undefined;
      });
  }

  private close(id: string, reason: string): void {
    const s = this.sessions.get(id);
    if (!s || s.closedFor !== undefined) return;
    s.closedFor = reason;
    // Chained on the spawn: a shell closed while it was starting is hung up as soon as it exists.
    void s.pty.then((p) => {
      if (p) s.killTimer = hangUp(p);
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
    return spawn(loginShell(), [], {
      name: env.TERM,
      cols: cells(req.size?.cols, 80),
      rows: cells(req.size?.rows, 24),
      cwd: homeDir(),
      env,
      encoding: null,
    });
  }
}

/**
 * SIGHUP to the shell's process group (what a closed terminal sends); returns the timer of the SIGKILL that follows if
 * it is still there after a grace (cleared when it exits).
 */
function hangUp(pty: Pty): NodeJS.Timeout | undefined {
  const group = -pty.pid;
  try {
    process.kill(group, 'SIGHUP');
  } catch {
    return undefined; // already gone
  }
  return setTimeout(() => {
    try {
      process.kill(group, 'SIGKILL');
    } catch {
      // exited meanwhile
    }
  }, HANGUP_GRACE_MS);
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
