import { type ChildProcess, fork, type Serializable, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { threadId } from 'node:worker_threads';

/** What runProcess asks to start. */
export interface LaunchRequest {
  file: string;
  args: string[];
  cwd?: string | undefined;
  env?: Record<string, string | undefined> | undefined;
  uid?: number | undefined;
  gid?: number | undefined;
  stdin: string;
}

/**
 * A started process, however it was started. Events: 'stdout' and 'stderr' (Buffer), 'error' (an errno error: it could
 * not start), 'exit' (code, signal), 'close' (its pipes are closed).
 */
export interface Launched extends EventEmitter {
  /** Its process id, once known (the helper says it after starting the process). */
  readonly pid: number | undefined;
  /** Signals its whole process group (it leads one). */
  killGroup(signal: NodeJS.Signals): void;
  /** Stops reading its pipes: a daemonised grandchild may hold them open forever. */
  release(): void;
}

/** How processes are started: directly, through the helper, or directly until the helper is up (the default). */
export type SpawnMode = 'auto' | 'direct' | 'helper';

/** Starts processes in their own process group; throws at once for what spawn throws at once (ENOTDIR). */
export function launch(req: LaunchRequest): Launched {
  // Marked as ours from its first instruction: if this process is killed while a command starts (before the helper
  // hears of it), the helper still finds it by this variable.
  const marked = { ...req, env: { ...(req.env ?? process.env), [OWNER_ENV]: OWNER } };
  const helper = spawnHelper.usable();
  if (helper) return helper.launch(marked);
  const launched = launchDirect(marked);
  spawnHelper.watch(launched);
  return launched;
}

/** Set in the environment of every command to what started it (see the spawn helper). */
export const OWNER_ENV = 'SLOTH_SPAWNED_BY';
/**
 * This process's pid, and the worker thread's id in a worker thread: each thread has a spawn helper of its own, which
 * must find only its own thread's commands (another thread's may still be running).
 */
const OWNER = ownerMark(threadId);

/** The SLOTH_SPAWNED_BY value of the commands a thread of this process starts (0: the main thread). */
export function ownerMark(thread: number): string {
  return thread === 0 ? String(process.pid) : `${process.pid}.${thread}`;
}

/**
 * The process groups of processes whose environment says `owner` started them (Linux; elsewhere none are found this
 * way): how what a killed process or a terminated thread started is found when nobody is left to say.
 */
export function markedProcessGroups(owner: string, withThreads = false): Set<number> {
  const groups = new Set<number>();
  const mark = Buffer.from(`\0${OWNER_ENV}=${owner}${withThreads ? '' : '\0'}`);
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return groups;
  }
  for (const pid of pids) {
    try {
      const environ = Buffer.concat([Buffer.from([0]), readFileSync(`/proc/${pid}/environ`)]);
      const at = environ.indexOf(mark);
      if (at < 0) continue;
      // With threads, `<pid>` and `<pid>.<thread>`, not `<pid>1`.
      const next = environ[at + mark.length];
      if (withThreads && next !== 0 && next !== 0x2e) continue;
      // /proc/PID/stat: "pid (comm) state ppid pgrp ...", and comm may hold spaces and parentheses.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      if (pgrp > 1) groups.add(pgrp);
    } catch {
      // gone, or not ours to read
    }
  }
  return groups;
}

/** Kills (SIGKILL) every process group `owner` (and, `withThreads`, its threads) started: for an owner that is gone. */
export function killMarkedGroups(owner: string, withThreads = false): number {
  const groups = markedProcessGroups(owner, withThreads);
  for (const pgid of groups) killGroup(pgid, 'SIGKILL');
  return groups.size;
}

/**
 * Starts the spawn helper now, ahead of the first command: from a process that is still small (a CLI about to load a
 * workflow), so its fork is short and its start-up overlaps the loading, and the run's first commands go through it
 * instead of each forking the grown process. It ends after its idle time if nothing runs.
 */
export function startSpawnHelper(): void {
  spawnHelper.prestart();
}

/** For tests: which way processes start from now on, and how long an idle helper lives. */
export function setSpawnMode(mode: SpawnMode, idleMs = HELPER_IDLE_MS): void {
  spawnHelper.mode = mode;
  spawnHelper.idleMs = idleMs;
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  try {
    if (pid) process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** Starts a process from this one (what the helper itself does for its parent). */
export function launchDirect(req: LaunchRequest): Launched {
  const child = spawn(req.file, req.args, {
    cwd: req.cwd,
    env: req.env as NodeJS.ProcessEnv | undefined,
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(req.uid !== undefined && req.gid !== undefined ? { uid: req.uid, gid: req.gid } : {}),
  });
  const launched = Object.assign(new EventEmitter(), {
    pid: child.pid,
    killGroup: (signal: NodeJS.Signals) => killGroup(child.pid, signal),
    release: () => {
      child.stdout.destroy();
      child.stderr.destroy();
    },
  });
  child.stdout.on('data', (d: Buffer) => launched.emit('stdout', d));
  child.stderr.on('data', (d: Buffer) => launched.emit('stderr', d));
  child.stdin.on('error', () => {}); // the child may exit before reading its stdin
  child.stdin.end(req.stdin);
  child.on('error', (e) => launched.emit('error', e));
  child.on('exit', (code, signal) => launched.emit('exit', code, signal));
  child.on('close', () => launched.emit('close'));
  return launched;
}

/** An idle helper ends after this long (an idle agent stays small); the next commands start another. */
const HELPER_IDLE_MS = 30_000;

type HelperMessage =
  | { t: 'ready' }
  | { t: 'spawned'; id: number; pid: number }
  | { t: 'out'; id: number; s: 1 | 2; d: Uint8Array }
  | { t: 'error'; id: number; code?: string; message: string }
  | { t: 'exit'; id: number; code: number | null; signal: NodeJS.Signals | null }
  | { t: 'close'; id: number };

interface HelperLaunch {
  launched: Launched;
  pid: number | undefined;
  /** A signal asked for before the helper said which pid the process got. */
  pendingSignal: NodeJS.Signals | undefined;
  closed: boolean;
}

/**
 * fork() copies the page tables of the process that calls it, and the child's exec() tears them down while spawn()
 * waits: from the CLI or an agent (100-150 MB) that blocks the event loop for every command; from this small helper
 * it is shorter and off the main thread (measured in bench/RESULTS.md). Started on first need, it holds the parent's event loop only
 * while processes it started run, and ends when the parent does. If it dies, what it was running is killed and reported
 * failed, and processes start directly from then on.
 */
class SpawnHelper {
  mode: SpawnMode = 'auto';
  idleMs = HELPER_IDLE_MS;
  private child: ChildProcess | undefined;
  private ready = false;
  private dead = false;
  private seq = 0;
  private readonly launches = new Map<number, HelperLaunch>();
  /** Directly started processes the helper watches. */
  private watching = 0;
  private readonly waiting: (() => void)[] = [];
  private idleTimer: NodeJS.Timeout | undefined;

  /**
   * The helper when processes should go through it now: once it is ready (a command never waits for it to start).
   * Until then commands start directly, and the first one starts the helper: it also watches what this process
   * starts itself, to kill it if this process is killed with SIGKILL (which no handler of ours sees).
   */
  usable(): SpawnHelper | undefined {
    if (this.mode === 'direct' || this.dead) return undefined;
    this.start();
    return this.mode === 'helper' || this.ready ? this : undefined;
  }

  /** Starts the helper unless processes start directly. */
  prestart(): void {
    if (this.mode !== 'auto' || this.dead || this.child) return;
    this.start();
    this.maybeIdle();
  }

  /** Has the helper kill a directly started process's group if this process dies; forgets it once it is closed. */
  watch(launched: Launched): void {
    const pid = launched.pid;
    if (pid === undefined || !this.child) return;
    this.watching += 1;
    this.child.channel?.ref();
    clearTimeout(this.idleTimer);
    // Sent at once, even before the helper says it is ready: the channel keeps what it has not read yet, so a helper
    // whose parent dies while it starts still learns what to kill before it learns that the parent is gone.
    this.send({ t: 'watch', pid });
    launched.once('close', () => {
      this.send({ t: 'unwatch', pid });
      this.watching -= 1;
      this.maybeIdle();
    });
  }

  launch(req: LaunchRequest): Launched {
    const id = ++this.seq;
    const launched = Object.assign(new EventEmitter(), {
      killGroup: (signal: NodeJS.Signals) => {
        if (entry.pid !== undefined) killGroup(entry.pid, signal);
        else if (!entry.closed) entry.pendingSignal = signal;
      },
      release: () => this.send({ t: 'release', id }),
    });
    // Known once the helper says it ('spawned').
    Object.defineProperty(launched, 'pid', { get: () => entry.pid });
    const entry: HelperLaunch = { launched: launched as Launched, pid: undefined, pendingSignal: undefined, closed: false };
    this.launches.set(id, entry);
    clearTimeout(this.idleTimer);
    this.child?.channel?.ref();
    const request = { t: 'spawn', id, ...req };
    if (this.ready) this.send(request);
    else this.waiting.push(() => this.send(request));
    return entry.launched;
  }

  private start(): void {
    if (this.child) return;
    // ../dist/ from src/ (tests) and from dist/ alike: the helper runs as JavaScript.
    // The owner is passed, not read from process.ppid: a parent killed before the helper runs is no longer its parent.
    const child = fork(new URL('../dist/spawn-helper-main.cjs', import.meta.url), [OWNER], {
      // Small and quick to fork from: its own flags, not the parent's (--inspect, --cpu-prof).
      execArgv: ['--max-semi-space-size=1'],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    this.child = child;
    child.unref();
    child.channel?.unref();
    child.on('message', (m: HelperMessage) => this.onMessage(m));
    child.on('error', () => this.die('could not start'));
    child.on('exit', (code, signal) => this.die(`exited (${signal ?? `code ${code}`})`));
  }

  private onMessage(m: HelperMessage): void {
    if (m.t === 'ready') {
      this.ready = true;
      for (const send of this.waiting.splice(0)) send();
      return;
    }
    const entry = this.launches.get(m.id);
    if (!entry) return;
    const { launched } = entry;
    switch (m.t) {
      case 'spawned':
        entry.pid = m.pid;
        if (entry.pendingSignal) killGroup(m.pid, entry.pendingSignal);
        return;
      case 'out':
        launched.emit(m.s === 1 ? 'stdout' : 'stderr', Buffer.from(m.d.buffer, m.d.byteOffset, m.d.byteLength));
        return;
      case 'error':
        // It never started: no 'close' follows.
        this.settle(m.id);
        launched.emit('error', Object.assign(new Error(m.message), { code: m.code }));
        return;
      case 'exit':
        launched.emit('exit', m.code, m.signal);
        return;
      case 'close':
        this.settle(m.id);
        launched.emit('close');
    }
  }

  private settle(id: number): void {
    const entry = this.launches.get(id);
    if (entry) entry.closed = true;
    this.launches.delete(id);
    this.maybeIdle();
  }

  /** With nothing running through it or watched, the helper holds nothing open and retires after a while. */
  private maybeIdle(): void {
    if (this.launches.size > 0 || this.watching > 0) return;
    this.child?.channel?.unref();
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.retire(), this.idleMs).unref();
  }

  /** Ends an idle helper: it exits when its channel closes; the next command starts another. */
  private retire(): void {
    const child = this.child;
    if (!child || this.launches.size > 0 || this.watching > 0) return;
    this.child = undefined;
    this.ready = false;
    child.removeAllListeners('exit');
    child.removeAllListeners('error');
    child.on('error', () => {});
    // Retired, not orphaned: its parent lives on, and so do its other commands.
    if (child.connected) child.send({ t: 'retire' });
    child.disconnect();
  }

  private send(message: Serializable): void {
    if (this.child?.connected) this.child.send(message);
  }

  /** The helper is gone: what it ran can no longer be watched, so it is killed and reported failed. */
  private die(why: string): void {
    if (this.dead) return;
    this.dead = true;
    this.ready = false;
    for (const [id, entry] of [...this.launches]) {
      killGroup(entry.pid, 'SIGKILL');
      this.settle(id);
      entry.launched.emit('error', Object.assign(new Error(`the spawn helper ${why}`), { code: 'EHELPER' }));
      entry.launched.emit('close');
    }
  }
}

const spawnHelper = new SpawnHelper();
