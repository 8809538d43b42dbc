import { busyPercent, cpuSample, percentOf } from '@sloth/core/internal';
import type { HealthCommand } from './command-health-checks.js';

/** The thresholds of `agent start --health-checks`, in percent, and how many heartbeats in a row decide. */
export interface HealthThresholds {
  cpuHigh: number;
  memoryHigh: number;
  diskHigh: number;
  heartbeats: number;
  /** `--health-command NAME=COMMAND`: commands run each heartbeat, healthy when they exit 0. */
  commands?: HealthCommand[] | undefined;
}

/** One heartbeat's readings, in percent. */
export interface HealthReadings {
  cpu: number;
  memory: number;
  disk: number;
}

type Check = keyof HealthReadings;

/** The event raised when a check crosses its threshold, and the one when it is back under. */
const EVENTS: Record<Check, { high: string; recovered: string }> = {
  cpu: { high: 'system.cpu_high', recovered: 'system.cpu_recovered' },
  memory: { high: 'system.memory_high', recovered: 'system.memory_recovered' },
  disk: { high: 'system.disk_full', recovered: 'system.disk_recovered' },
};

const CHECKS = Object.keys(EVENTS) as Check[];

/**
 * The agent's health checks: at or above its threshold for `heartbeats` heartbeats in a row, a check raises its event
 * (system.cpu_high, system.memory_high, system.disk_full); back under for as many, the *_recovered one. A single
 * reading on the other side starts the count again, so a value hovering at the threshold does not flap.
 */
export class HealthChecks {
  private readonly raised: Record<Check, boolean> = { cpu: false, memory: false, disk: false };
  /** Heartbeats in a row on the other side of the threshold from `raised`. */
  private readonly streak: Record<Check, number> = { cpu: 0, memory: 0, disk: 0 };

  constructor(
    private readonly thresholds: HealthThresholds,
    private readonly dispatch: (type: string, data: Record<string, unknown>) => void,
  ) {}

  /** One heartbeat's readings. */
  observe(readings: HealthReadings): void {
    for (const check of CHECKS) {
      const threshold = this.threshold(check);
      const value = readings[check];
      const over = value >= threshold;
      if (over === this.raised[check]) {
        this.streak[check] = 0;
        continue;
      }
      this.streak[check] += 1;
      if (this.streak[check] < this.thresholds.heartbeats) continue;
      this.raised[check] = over;
      this.streak[check] = 0;
      this.dispatch(over ? EVENTS[check].high : EVENTS[check].recovered, {
        check,
        value_percent: value,
        threshold_percent: threshold,
        heartbeats: this.thresholds.heartbeats,
      });
    }
  }

  private threshold(check: Check): number {
    return check === 'cpu' ? this.thresholds.cpuHigh : check === 'memory' ? this.thresholds.memoryHigh : this.thresholds.diskHigh;
  }
}

/** Readings from a heartbeat's system info; CPU is the share of time busy since the previous call. */
export class HealthReader {
  private last = cpuSample();

  read(system: {
    memoryTotalBytes?: bigint;
    memoryFreeBytes?: bigint;
    diskTotalBytes?: bigint;
    diskFreeBytes?: bigint;
  }): HealthReadings {
    const now = cpuSample();
    const cpu = busyPercent(this.last, now);
    this.last = now;
    const mem = Number(system.memoryTotalBytes ?? 0n);
    const disk = Number(system.diskTotalBytes ?? 0n);
    return {
      cpu,
      memory: percentOf(mem - Number(system.memoryFreeBytes ?? 0n), mem),
      disk: percentOf(disk - Number(system.diskFreeBytes ?? 0n), disk),
    };
  }
}
