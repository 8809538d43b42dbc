/**
 * Set by a scheduler on the `workflow run` it starts, whose stdin is a pipe from the scheduler: the pipe closes when
 * the scheduler dies (even by SIGKILL), and the run then stops as on SIGTERM instead of running on unattended.
 */
export const STOP_WITH_SCHEDULER_ENV = 'SLOTH_STOP_WITH_SCHEDULER';

/** In a run started by a scheduler: calls `stop` once when the scheduler's end of stdin closes. Returns the undo. */
export function stopWithScheduler(stop: () => void): () => void {
  if (process.env[STOP_WITH_SCHEDULER_ENV] !== '1') return () => {};
  // Not for the processes the run starts: they are not the scheduler's runs.
  delete process.env[STOP_WITH_SCHEDULER_ENV];
  const stdin = process.stdin;
  const onEnd = () => {
    // The scheduler read our stdout and stderr: they are broken pipes now, and a write must not crash the run (EPIPE)
    // before it has stopped its tasks and recorded itself.
    for (const out of [process.stdout, process.stderr]) out.on('error', () => {});
    stop();
  };
  stdin.on('end', onEnd);
  stdin.on('error', onEnd);
  // Flowing mode, reading nothing the scheduler sends (it sends nothing): only the end matters.
  stdin.resume();
  return () => {
    stdin.off('end', onEnd);
    stdin.off('error', onEnd);
    stdin.pause();
    stdin.destroy();
  };
}
