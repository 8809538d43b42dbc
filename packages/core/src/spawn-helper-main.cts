// The spawn helper: a small Node process that starts commands for a bigger one (see spawn-helper.ts). It loads only
// spawn-helper.js, which uses nothing but Node's built-ins, so it stays small and fork() from it stays cheap.
//
// CommonJS on purpose: its listeners are attached in the first tick, before Node reads the IPC channel. An ES module
// entry loads asynchronously, and a parent killed while the helper started had its messages (what to kill) emitted
// to no listener, and no 'disconnect' either: its commands outlived it.
import { readdirSync, readFileSync } from 'node:fs';
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
  for (const pid of watched) killGroup(pid);
  for (const pgid of markedGroups()) killGroup(pgid);
  process.exit(0);
});

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/**
 * The process groups of processes whose environment says our parent (or its thread) started them: the ones it started itself in
 * the moment it was killed, before it could tell us (Linux; elsewhere none are found this way).
 */
function markedGroups(): Set<number> {
  const groups = new Set<number>();
  const mark = Buffer.from(`\0SLOTH_SPAWNED_BY=${owner}\0`);
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return groups;
  }
  for (const pid of pids) {
    try {
      const environ = Buffer.concat([Buffer.from([0]), readFileSync(`/proc/${pid}/environ`)]);
      if (environ.indexOf(mark) < 0) continue;
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
void launcher.then(() => send({ t: 'ready' }));
