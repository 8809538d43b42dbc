import { errorMessage, formatDuration, type RunEvent, SlothError } from '@sloth/core/internal';
import { RunRecorder } from '@sloth/events';
import { runRepo, type Store } from '@sloth/store-sqlite';
import { reportedEventSchema, reportRunSchema, validate } from './validation.js';

/** Runs being reported at once; past it the one heard from least recently is let go (its record stays as it is). */
const MAX_OPEN_RUNS = 1000;

interface OpenRun {
  recorder: RunRecorder;
  lastHeard: number;
  host: string;
  pid: number;
}

/** A reported run not heard of for this long (its CLI calls at least every third of it) is marked interrupted. */
export const DEFAULT_REPORT_TIMEOUT_MS = 90_000;

/**
 * The runs CLIs report to this master (`workflow run --master`, ReportRun), recorded in its data directory as they
 * go, as a CLI records its own: the dashboard's Runs show them. Each call carries engine events of one run, in order.
 */
export class RunReports {
  private readonly open = new Map<string, OpenRun>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly store: Store,
    private readonly log: (level: 'warn', message: string) => void,
    private readonly timeoutMs = DEFAULT_REPORT_TIMEOUT_MS,
  ) {
    // Swept as often as CLIs call: a run is marked at most a third of the timeout late.
    this.sweeper = setInterval(() => this.sweep(Date.now()), this.keepAliveMs).unref();
  }

  /** How often a CLI must call while its run goes on (ReportRunResponse.keep_alive_ms). */
  get keepAliveMs(): number {
    return Math.max(1, Math.round(this.timeoutMs / 3));
  }

  /** Records one ReportRun call (none of its events: a keep-alive); invalid_argument for a malformed call or an event of another run. */
  report(raw: unknown, now = Date.now()): void {
    const req = validate(reportRunSchema, raw, 'ReportRun');
    const events = req.eventsJson.map((text, i) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (err) {
        throw new SlothError('invalid_argument', `invalid ReportRun: eventsJson.${i} is not JSON (${errorMessage(err)})`);
      }
      const e = validate(reportedEventSchema, parsed, `ReportRun event ${i}`);
      if (e.runId !== req.runId) {
        throw new SlothError('invalid_argument', `invalid ReportRun: event ${i} is of run ${e.runId}, not ${req.runId}`);
      }
      return e as unknown as RunEvent;
    });
    let run = this.open.get(req.runId);
    if (!run) {
      if (this.open.size >= MAX_OPEN_RUNS) this.letGoOldest();
      const onError = (message: string) => this.log('warn', `run ${req.runId} reported by ${req.host}: ${message}`);
      run = {
        recorder: new RunRecorder(() => this.store, onError, undefined, { host: req.host, pid: req.pid }),
        lastHeard: 0,
        host: req.host,
        pid: req.pid,
      };
      this.open.set(req.runId, run);
    }
    run.lastHeard = now;
    for (const e of events) {
      run.recorder.observe(e, req.workflow, req.stack || undefined);
      if (e.type === 'workflow.finished') {
        run.recorder.flush();
        this.open.delete(req.runId);
      }
    }
  }

  /**
   * Marks interrupted the runs not heard of for the timeout: their CLI was killed or lost its link, and no end will
   * come. A run that is heard of again later is recorded on from there (its end sets its status).
   */
  sweep(now: number): void {
    for (const [id, run] of this.open) {
      if (now - run.lastHeard <= this.timeoutMs) continue;
      this.open.delete(id);
      run.recorder.flush();
      const why = `its CLI (${run.host || 'a host'}, pid ${run.pid}) stopped reporting it for ${formatDuration(now - run.lastHeard)}: it was killed, or lost its link to this master`;
      try {
        // Only a run still going: a late keep-alive must not turn a finished run into an interrupted one.
        const repo = runRepo(this.store);
        if (repo.get(id)?.finishedAt === null) repo.finish(id, 'interrupted', now, why);
      } catch (err) {
        this.log('warn', `run ${id}: could not mark it interrupted: ${errorMessage(err)}`);
      }
    }
  }

  /** Writes what is waiting (the master stops). */
  close(): void {
    clearInterval(this.sweeper);
    for (const run of this.open.values()) run.recorder.flush();
    this.open.clear();
  }

  private letGoOldest(): void {
    let oldest: [string, OpenRun] | undefined;
    for (const entry of this.open) if (!oldest || entry[1].lastHeard < oldest[1].lastHeard) oldest = entry;
    if (!oldest) return;
    oldest[1].recorder.flush();
    this.open.delete(oldest[0]);
  }
}
