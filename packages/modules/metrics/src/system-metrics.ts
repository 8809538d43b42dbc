import { statfs } from 'node:fs/promises';
import { cpus, freemem, hostname, loadavg, totalmem, uptime } from 'node:os';
import { setTimeout as pause } from 'node:timers/promises';

/** How long CPU use is measured over. */
const CPU_SAMPLE_MS = 200;

/** Busy and total CPU time of every core so far. */
function cpuTimes(): { busy: number; total: number } {
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

const percent = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 1000) / 10 : 0);

/** This machine's CPU (measured over a fifth of a second), memory, the disk holding `path`, load and uptime. */
export async function systemMetrics(path: string, signal: AbortSignal): Promise<Record<string, unknown>> {
  const before = cpuTimes();
  await pause(CPU_SAMPLE_MS, undefined, { signal });
  const after = cpuTimes();
  const [load1, load5, load15] = loadavg() as [number, number, number];
  const memTotal = totalmem();
  const memFree = freemem();
  const disk = await statfs(path);
  const diskTotal = disk.blocks * disk.bsize;
  const diskFree = disk.bavail * disk.bsize;
  return {
    hostname: hostname(),
    cpus: cpus().length,
    cpu_percent: percent(after.busy - before.busy, after.total - before.total),
    load1,
    load5,
    load15,
    memory_total_bytes: memTotal,
    memory_free_bytes: memFree,
    memory_used_percent: percent(memTotal - memFree, memTotal),
    disk_path: path,
    disk_total_bytes: diskTotal,
    disk_free_bytes: diskFree,
    disk_used_percent: percent(diskTotal - diskFree, diskTotal),
    uptime_seconds: Math.round(uptime()),
  };
}
