// `--daemon` and `stop` of the master and agent commands: the daemon lives in the data directory as <file>.pid and <file>.log.

/** The part of a command these helpers use. */
interface CommandIo {
  argv: string[];
  log(message: string): void;
}

/** Which daemon: named in messages (`what`), its files in the data directory (`file`.pid, `file`.log). */
export interface DaemonTarget {
  what: string;
  file: string;
  dataDir: string | undefined;
}

/** Runs the command again as a daemon (its own argv without --daemon) and returns once it is ready; SIGINT stops it. */
export async function startInBackground(
  cmd: CommandIo,
  target: DaemonTarget & { args: string[]; stopCommand: string },
): Promise<void> {
  const [{ daemonFiles, startDaemonFromCommand }, { defaultDataDir }] = await Promise.all([
    import('@sloth/core/daemon'),
    import('@sloth/store-sqlite'),
  ]);
  const { pidFile, logFile } = daemonFiles(target.dataDir ?? defaultDataDir(), target.file);
  const started = await startDaemonFromCommand({
    what: target.what,
    argv: [process.argv[1] as string, ...target.args, ...cmd.argv.filter((a) => a !== '--daemon')],
    pidFile,
    logFile,
    stopHint: `stop it with \`${target.stopCommand}\``,
  });
  cmd.log(`${target.what} runs in the background (pid ${started.pid}), ${started.detail}; log: ${logFile}`);
}

/** Stops the daemon of the data directory by its pid file (SIGTERM, bounded wait); a stale pid file is removed. */
export async function stopInBackground(cmd: CommandIo, target: DaemonTarget & { startCommand: string }): Promise<void> {
  const [{ daemonFiles, stopDaemon }, { defaultDataDir }] = await Promise.all([
    import('@sloth/core/daemon'),
    import('@sloth/store-sqlite'),
  ]);
  const { pidFile } = daemonFiles(target.dataDir ?? defaultDataDir(), target.file);
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.on('SIGINT', onSignal);
  try {
    const outcome = await stopDaemon(pidFile, target.what, {
      hint: `a daemon started with \`${target.startCommand}\` on this data directory (--data-dir, $SLOTH_HOME) writes it`,
      signal: abort.signal,
    });
    cmd.log(
      outcome.stale
        ? `${target.what} was not running (process ${outcome.pid} is gone): removed the stale pid file ${pidFile}`
        : `stopped ${target.what} (pid ${outcome.pid})`,
    );
  } finally {
    process.off('SIGINT', onSignal);
  }
}
