import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as pause } from 'node:timers/promises';

/** How long a hung-up terminal session has to end before what is left of it gets SIGKILL. */
export const HANGUP_GRACE_MS = 2000;
const POLL_MS = 50;

/**
 * The live processes of terminal session `sid` (Linux: read from /proc): the shell, and the jobs it put in process
 * groups of their own. Empty where /proc cannot be read (macOS): the leader's process group is all that is known there.
 */
export function sessionMembers(sid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
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

function sessionAlive(sid: number): boolean {
  if (sessionMembers(sid).length > 0) return true;
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
 * the session is gone or the SIGKILL is sent.
 */
export async function hangUpSession(sid: number): Promise<void> {
  if (!signalSession(sid, 'SIGHUP')) return;
  const deadline = Date.now() + HANGUP_GRACE_MS;
  while (Date.now() < deadline) {
    await pause(POLL_MS);
    if (!sessionAlive(sid)) return;
  }
  signalSession(sid, 'SIGKILL');
}
