import { cpus } from 'node:os';

/** Busy and total CPU time of every core of this machine so far, in milliseconds. */
export interface CpuSample {
  busy: number;
  total: number;
}

/** Reads the CPU times of every core now. */
export function cpuSample(): CpuSample {
  let busy = 0;
  let total = 0;
  for (const c of cpus()) {
    const t = c.times;
    const all = t.user + t.nice + t.sys + t.idle + t.irq;
    total += all;
    busy += all - t.idle;
  }
  return { busy, total };
}

/** `part` of `whole` in percent, to one decimal; 0 when `whole` is 0. */
export function percentOf(part: number, whole: number): number {
  return whole > 0 ? Math.round((part / whole) * 1000) / 10 : 0;
}

/** The share of CPU time that was busy between two samples, in percent. */
export function busyPercent(before: CpuSample, after: CpuSample): number {
  return percentOf(after.busy - before.busy, after.total - before.total);
}
