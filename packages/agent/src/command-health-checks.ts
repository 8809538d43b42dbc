import { errorMessage, runProcess } from '@sloth/core/internal';

/** One `--health-command NAME=COMMAND`: a shell command whose exit code 0 means healthy. */
export interface HealthCommand {
  name: string;
  command: string;
}

/** How long one check may run: it is killed (and counts as failed) after this. */
const CHECK_TIMEOUT_MS = 10_000;
/** The end of a failed check's output that its event carries. */
const OUTPUT_TAIL = 1024;

interface Outcome {
  ok: boolean;
  exitCode: number | null;
  output: string;
}

/** Runs a check in its own process group, killed at its timeout or when `signal` aborts. */
async function runCheck(command: string, signal: AbortSignal): Promise<Outcome> {
  try {
    const r = await runProcess({ command, timeoutMs: CHECK_TIMEOUT_MS, signal });
    const output = `${r.stdout}${r.stderr}`.trim();
    const why = r.timedOut ? `killed after ${CHECK_TIMEOUT_MS / 1000}s` : '';
    return { ok: r.exitCode === 0, exitCode: r.exitCode, output: why || output.slice(-OUTPUT_TAIL) };
  } catch (err) {
    return { ok: false, exitCode: null, output: errorMessage(err) };
  }
}

/**
 * The agent's command checks (`--health-command NAME=COMMAND`): each heartbeat starts every check that is not still
 * running; failing for `heartbeats` results in a row raises health.check_failed, then passing for as many raises
 * health.check_recovered. A single result on the other side starts the count again, as for the thresholds.
 */
export class CommandHealthChecks {
  private readonly state = new Map<string, { failing: boolean; streak: number; running: boolean }>();
  private readonly stop = new AbortController();

  constructor(
    private readonly checks: HealthCommand[],
    private readonly heartbeats: number,
    private readonly dispatch: (type: string, data: Record<string, unknown>) => void,
    private readonly run: (command: string, signal: AbortSignal) => Promise<Outcome> = runCheck,
  ) {
    for (const c of checks) this.state.set(c.name, { failing: false, streak: 0, running: false });
  }

  /** One heartbeat: starts the checks that are not running; resolves when those it started are done. */
  async tick(): Promise<void> {
    await Promise.all(
      this.checks.map(async (check) => {
        const s = this.state.get(check.name) as { failing: boolean; streak: number; running: boolean };
        if (s.running || this.stop.signal.aborted) return;
        s.running = true;
        try {
          const r = await this.run(check.command, this.stop.signal);
          if (this.stop.signal.aborted) return;
          this.observe(check, s, r);
        } finally {
          s.running = false;
        }
      }),
    );
  }

  /** Kills the checks that are running (the agent stops). */
  close(): void {
    this.stop.abort();
  }

  private observe(check: HealthCommand, s: { failing: boolean; streak: number }, r: Outcome): void {
    if (!r.ok === s.failing) {
      s.streak = 0;
      return;
    }
    s.streak += 1;
    if (s.streak < this.heartbeats) return;
    s.failing = !r.ok;
    s.streak = 0;
    this.dispatch(s.failing ? 'health.check_failed' : 'health.check_recovered', {
      check: check.name,
      command: check.command,
      exit_code: r.exitCode,
      heartbeats: this.heartbeats,
      ...(s.failing ? { output: r.output } : {}),
    });
  }
}
