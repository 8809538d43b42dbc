// Long-lived children of a benchmark (a master, agents, sshd): output kept, killed by the case at its end.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { REPO } from './paths.mjs';

/**
 * Starts `cmd args` (node by default) and collects its stdout and stderr as they come. It stays in our process
 * group, so a Ctrl-C of the bench reaches it too; the case kills it in its `finally`.
 */
export function daemon(args, env = {}, { cmd = process.execPath, cwd = REPO } = {}) {
  const child = spawn(cmd, args, {
    cwd,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    out += d;
  });
  child.on('error', (e) => {
    out += `\n[spawn error] ${e.message}\n`;
  });
  return { child, output: () => out };
}

/** True while the child has neither exited nor been killed. */
export const alive = (child) => child.exitCode === null && child.signalCode === null;

/** Kills the children that are still running (SIGKILL: a benchmark's daemons hold nothing worth a clean stop). */
export function killAll(children) {
  for (const ch of children) if (alive(ch)) ch.kill('SIGKILL');
}

/** Polls `pred` (sync or async) every 50 ms until it is true; throws naming `what` after `timeoutMs`. */
export async function until(pred, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const TICKS = 100; // USER_HZ on Linux

/** CPU seconds (user + system) a process has used so far; 0 once it is gone. */
export function cpuSeconds(pid) {
  let stat;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return 0;
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}
