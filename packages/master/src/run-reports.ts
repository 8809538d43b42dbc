import { errorMessage, type RunEvent, SlothError } from '@sloth/core/internal';
import { RunRecorder } from '@sloth/events';
import type { Store } from '@sloth/store-sqlite';
import { reportedEventSchema, reportRunSchema, validate } from './validation.js';

/** Runs being reported at once; past it the one heard from least recently is let go (its record stays as it is). */
const MAX_OPEN_RUNS = 1000;

interface OpenRun {
  recorder: RunRecorder;
  lastHeard: number;
}

/**
 * The runs CLIs report to this master (`workflow run --master`, ReportRun), recorded in its data directory as they
 * go, as a CLI records its own: the dashboard's Runs show them. Each call carries engine events of one run, in order.
 */
export class RunReports {
  private readonly open = new Map<string, OpenRun>();

  constructor(
    private readonly store: Store,
    private readonly log: (level: 'warn', message: string) => void,
  ) {}

  /** Records one ReportRun call; invalid_argument for a malformed call or an event of another run. */
  report(raw: unknown): void {
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
      run = { recorder: new RunRecorder(() => this.store, onError, undefined, { host: req.host, pid: req.pid }), lastHeard: 0 };
      this.open.set(req.runId, run);
    }
    run.lastHeard = Date.now();
    for (const e of events) {
      run.recorder.observe(e, req.workflow, req.stack || undefined);
      if (e.type === 'workflow.finished') {
        run.recorder.flush();
        this.open.delete(req.runId);
      }
    }
  }

  /** Writes what is waiting (the master stops). */
  close(): void {
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
