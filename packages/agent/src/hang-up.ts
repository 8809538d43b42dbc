import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as pause } from 'node:timers/promises';

/** How long a hung-up terminal session has to end before what is left of it gets SIGKILL. */
export const HANGUP_GRACE_MS = 2000;
/** How long SIGKILL may take to be seen done (it cannot be ignored: only a process stuck in the kernel takes long). */
const KILL_WAIT_MS = 1000;
const POLL_MS = 50;

/**
 * The live processes of terminal session `sid` (Linux: read from /proc): the shell, and the jobs it put in process
 * groups of their own. Empty where /proc cannot be read (macOS): the leader's process group is all that is known there.
 */
export function sessionMembers(sid: number): number[] {
  return procSessionMembers(sid) ?? [];
}

/** sessionMembers, or undefined without /proc. */
function procSessionMembers(sid: number): number[] | undefined {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  const pids: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) state ppid pgrp session ...": comm may hold spaces and parentheses, so read after the last ")".
      const [state, , , session] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(session) === sid && state !== 'Z') pids.push(Number(entry));
    } catch {
      // it exited while we looked
    }
  }
  return pids;
}

/** Sends `signal` to the session's leader group and every member; false when nothing was there to get it. */
function signalSession(sid: number, signal: NodeJS.Signals): boolean {
  let any = false;
  for (const target of [-sid, ...sessionMembers(sid)]) {
    try {
      process.kill(target, signal);
      any = true;
    } catch {
      // gone already
    }
  }
  return any;
}

/** Whether anything of the session still runs (zombies, dead and waiting to be reaped, do not count). */
function sessionAlive(sid: number): boolean {
  const members = procSessionMembers(sid);
  if (members) return members.length > 0;
  try {
    process.kill(-sid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Ends terminal session `sid` as a closed terminal would, and then for sure: SIGHUP to all of it, SIGKILL to what is
 * left after HANGUP_GRACE_MS (background jobs and `nohup` included: nothing outlives a shell session). Resolves once
 * the session is gone, or a bounded while after the SIGKILL.
 */
export async function hangUpSession(sid: number): Promise<void> {
  if (!signalSession(sid, 'SIGHUP')) return;
  if (await gone(sid, HANGUP_GRACE_MS)) return;
  signalSession(sid, 'SIGKILL');
  await gone(sid, KILL_WAIT_MS);
}

/** Waits up to `ms` for the session to be gone; false if it is still there. */
async function gone(sid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    await pause(POLL_MS);
    if (!sessionAlive(sid)) return true;
  }
  return false;
}
