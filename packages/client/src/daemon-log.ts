/** Log levels of the long-running processes (master, agent). */
export type DaemonLogLevel = 'debug' | 'info' | 'warn' | 'error';

/** A logger for a long-running process: one line per event on stderr, with time and level; debug lines only when asked. */
export function daemonLog(debug = false, write: (line: string) => void = (l) => process.stderr.write(l)) {
  return (level: DaemonLogLevel, message: string): void => {
    if (level === 'debug' && !debug) return;
    write(`${new Date().toISOString()} ${level.padEnd(5)} ${message}\n`);
  };
}
