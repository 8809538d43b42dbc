import { writeFileSync } from 'node:fs';

import { dirname } from 'node:path';
import { makeDirectorySync } from '../make-directory.js';
import { removePidFile } from './pid-file.js';

/** Set by startDaemon in the daemon's environment: where it writes its pid once ready. */
export const DAEMON_PID_FILE_ENV = 'SLOTH_DAEMON_PID_FILE';

interface ReadyMessage {
  slothDaemonReady: true;
  detail: string;
}

/** True for the message daemonReady sends its starter. */
export function isReadyMessage(m: unknown): m is ReadyMessage {
  return typeof m === 'object' && m !== null && (m as ReadyMessage).slothDaemonReady === true;
}

/** True when this process was started by startDaemon (and has not said it is ready yet). */
export function isDaemonChild(): boolean {
  return process.env[DAEMON_PID_FILE_ENV] !== undefined && typeof process.send === 'function';
}

/**
 * Called by a daemon once it serves (listening, registered): writes its pid file, removed again when it exits, and
 * tells the process that started it, which then returns. Does nothing outside a daemon, and after the first call.
 */
export function daemonReady(detail = ''): void {
  const pidFile = process.env[DAEMON_PID_FILE_ENV];
  if (pidFile === undefined || typeof process.send !== 'function') return;
  // Not for the commands this process runs later: they are not its daemon.
  delete process.env[DAEMON_PID_FILE_ENV];
  makeDirectorySync(dirname(pidFile));
  writeFileSync(pidFile, `${process.pid}\n`);
  process.on('exit', () => removePidFile(pidFile, process.pid));
  const message: ReadyMessage = { slothDaemonReady: true, detail };
  process.send(message, undefined, {}, () => {
    if (process.connected) process.disconnect();
  });
}
