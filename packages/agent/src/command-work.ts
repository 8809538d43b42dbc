import type { MessageInitShape } from '@bufbuild/protobuf';
import { processExitCode, runProcess, timedOutAfter } from '@sloth/core/internal';
import { type RunCommand, WorkOutput_Stream, type WorkOutputSchema, type WorkResultSchema } from '@sloth/proto';

export type WorkOutputInit = MessageInitShape<typeof WorkOutputSchema>;
export type WorkResultInit = MessageInitShape<typeof WorkResultSchema>;

/** Runs a command the master sent (in its own process group, killed whole on timeout or cancel), streaming its lines. */
export async function runCommandWork(
  cmd: RunCommand,
  signal: AbortSignal,
  onOutput: (o: WorkOutputInit) => void,
): Promise<WorkResultInit> {
  try {
    const r = await runProcess({
      command: cmd.command,
      cwd: cmd.workdir || undefined,
      env: { ...process.env, ...cmd.env },
      timeoutMs: cmd.timeoutMs > 0 ? cmd.timeoutMs : undefined,
      signal,
      // Output travels live; keeping it in memory too would only cost the agent.
      maxCaptureBytes: 0,
      onLine: (stream, line) =>
        onOutput({
          workId: cmd.workId,
          stream: stream === 'stdout' ? WorkOutput_Stream.STDOUT : WorkOutput_Stream.STDERR,
          text: `${line}\n`,
        }),
    });
    const exitCode = processExitCode(r);
    const error = r.timedOut
      ? timedOutAfter(cmd.timeoutMs)
      : r.aborted
        ? 'cancelled'
        : exitCode !== 0
          ? `exit code ${exitCode}`
          : '';
    return {
      workId: cmd.workId,
      success: exitCode === 0 && !r.timedOut && !r.aborted,
      exitCode,
      error,
      durationMs: Math.round(r.durationMs),
    };
  } catch (err) {
    return {
      workId: cmd.workId,
      success: false,
      exitCode: 126,
      error: err instanceof Error ? err.message : String(err),
      durationMs: 0,
    };
  }
}
