import { BoundedBacklog } from '@sloth/core/internal';
import type { WorkOutputInit } from './command-work.js';

/** Per piece of work, the most recent output kept to be sent again: beyond this, the oldest lines are dropped. */
export const REPLAY_BYTES_PER_WORK = 1024 * 1024;

/**
 * The output of each piece of work, numbered and kept until its result is acknowledged: what was produced while the
 * master was away, or sent on a stream that died before delivering it, is sent again after registering. The caller
 * recognises what it already has by the number.
 */
export class WorkOutputReplay {
  private readonly byWork = new Map<string, { seq: number; kept: BoundedBacklog<WorkOutputInit> }>();

  /** Numbers `o` and keeps it; returns it numbered, to send now. */
  add(o: WorkOutputInit): WorkOutputInit {
    const id = o.workId ?? '';
    let w = this.byWork.get(id);
    if (!w) {
      w = { seq: 0, kept: new BoundedBacklog(REPLAY_BYTES_PER_WORK) };
      this.byWork.set(id, w);
    }
    w.seq += 1;
    const numbered = { ...o, seq: w.seq };
    w.kept.push(numbered, Buffer.byteLength(o.text ?? ''));
    return numbered;
  }

  /** Everything kept, work by work, each in the order it was produced. */
  all(): WorkOutputInit[] {
    return [...this.byWork.values()].flatMap((w) => w.kept.list());
  }

  /** The master acknowledged the work's result: its output is no longer needed. */
  forget(workId: string): void {
    this.byWork.delete(workId);
  }
}
