import { statfs } from 'node:fs/promises';
import { cpus, freemem, hostname, loadavg, totalmem, uptime } from 'node:os';
import { setTimeout as pause } from 'node:timers/promises';
import { busyPercent, cpuSample, percentOf } from '@sloth/core/internal';

/** How long CPU use is measured over. */
const CPU_SAMPLE_MS = 200;

/** This machine's CPU (measured over a fifth of a second), memory, the disk holding `path`, load and uptime. */
export async function systemMetrics(path: string, signal: AbortSignal): Promise<Record<string, unknown>> {
  const before = cpuSample();
  await pause(CPU_SAMPLE_MS, undefined, { signal });
  const after = cpuSample();
  const [load1, load5, load15] = loadavg() as [number, number, number];
  const memTotal = totalmem();
  const memFree = freemem();
  const disk = await statfs(path);
  const diskTotal = disk.blocks * disk.bsize;
  const diskFree = disk.bavail * disk.bsize;
  return {
    hostname: hostname(),
    cpus: cpus().length,
    cpu_percent: busyPercent(before, after),
    load1,
    load5,
    load15,
    memory_total_bytes: memTotal,
    memory_free_bytes: memFree,
    memory_used_percent: percentOf(memTotal - memFree, memTotal),
    disk_path: path,
    disk_total_bytes: diskTotal,
    disk_free_bytes: diskFree,
    disk_used_percent: percentOf(diskTotal - diskFree, diskTotal),
    uptime_seconds: Math.round(uptime()),
  };
}
