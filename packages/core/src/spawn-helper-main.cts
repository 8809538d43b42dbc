// The spawn helper: a small Node process that starts commands for a bigger one (see spawn-helper.ts). It loads only
// spawn-helper.js, which uses nothing but Node's built-ins, so it stays small and fork() from it stays cheap.
//
// CommonJS on purpose: its listeners are attached in the first tick, before Node reads the IPC channel. An ES module
// entry loads asynchronously, and a parent killed while the helper started had its messages (what to kill) emitted
// to no listener, and no 'disconnect' either: its commands outlived it.
import type { Launched, LaunchRequest } from './spawn-helper.js';

interface SpawnRequest extends LaunchRequest {
  t: 'spawn';
  id: number;
}

type Request = SpawnRequest | { t: 'release'; id: number } | { t: 'watch' | 'unwatch'; pid: number } | { t: 'retire' };

const launcher = import('./spawn-helper.js');
/** The SLOTH_SPAWNED_BY of the process (or worker thread) we serve: its commands carry it. */
const owner = process.argv[2] ?? String(process.ppid);
/** Set when the parent retires us while idle: its going away then takes nothing with it. */
let retiring = false;
const running = new Map<number, Launched>();
/** Process groups the parent started itself: they die with it too. */
const watched = new Set<number>();

/** Sends to the process that started us; once it is gone (it may exit before we are up) there is no one to tell. */
function send(message: unknown): void {
  if (!process.connected) return;
  process.send?.(message, undefined, undefined, () => {});
}

async function start(m: SpawnRequest): Promise<void> {
  const { launchDirect } = await launcher;
  let launched: Launched;
  try {
    launched = launchDirect(m);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    send({ t: 'error', id: m.id, code: e.code, message: e.message });
    return;
  }
  running.set(m.id, launched);
  if (launched.pid !== undefined) send({ t: 'spawned', id: m.id, pid: launched.pid });
  launched.on('stdout', (d: Buffer) => send({ t: 'out', id: m.id, s: 1, d }));
  launched.on('stderr', (d: Buffer) => send({ t: 'out', id: m.id, s: 2, d }));
  launched.on('error', (e: NodeJS.ErrnoException) => {
    running.delete(m.id);
    send({ t: 'error', id: m.id, code: e.code, message: e.message });
  });
  launched.on('exit', (code, signal) => send({ t: 'exit', id: m.id, code, signal }));
  launched.on('close', () => {
    running.delete(m.id);
    send({ t: 'close', id: m.id });
  });
}

process.on('message', (m: Request) => {
  if (m.t === 'spawn') void start(m);
  else if (m.t === 'release') running.get(m.id)?.release();
  else if (m.t === 'watch') watched.add(m.pid);
  else if (m.t === 'unwatch') watched.delete(m.pid);
  else if (m.t === 'retire') retiring = true;
});
// The process that started us is gone (exited, or killed with SIGKILL, which it could not handle): so are the
// commands it ran, whole process groups, and our reason to run.
process.on('disconnect', () => {
  if (retiring) process.exit(0);
  for (const launched of running.values()) launched.killGroup('SIGKILL');
  for (const pid of watched) killPidGroup(pid);
  // Commands started in the moment the parent was killed, before it could tell us, carry its mark.
  void launcher.then(({ killMarkedGroups }) => {
    killMarkedGroups(owner);
    process.exit(0);
  });
});

function killPidGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // already gone
  }
}
void launcher.then(() => send({ t: 'ready' }));
