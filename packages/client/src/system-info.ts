import { statfs } from 'node:fs/promises';
import { arch, cpus, freemem, hostname, loadavg, platform, totalmem, uptime } from 'node:os';
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { SystemInfoSchema } from '@sloth/proto';
import { readNetCounters } from './net-counters.js';

/**
 * What a machine reports about itself: cpu, memory, disk of `diskPath`, load, uptime and network counters. An agent
 * sends it in its heartbeats; a master samples its own machine with it.
 */
export async function collectSystemInfo(diskPath: string): Promise<MessageInitShape<typeof SystemInfoSchema>> {
  const [load1, load5, load15] = loadavg() as [number, number, number];
  let diskTotal = 0n;
  let diskFree = 0n;
  try {
    const s = await statfs(diskPath, { bigint: true });
    diskTotal = s.blocks * s.bsize;
    diskFree = s.bavail * s.bsize;
  } catch {
    // a vanished or unreadable disk is reported as zero, not as a dead agent
  }
  const net = await readNetCounters();
  return {
    hostname: hostname(),
    os: platform(),
    arch: arch(),
    cpus: cpus().length,
    load1,
    load5,
    load15,
    memoryTotalBytes: BigInt(totalmem()),
    memoryFreeBytes: BigInt(freemem()),
    diskTotalBytes: diskTotal,
    diskFreeBytes: diskFree,
    uptimeSeconds: uptime(),
    netRxBytes: net.rxBytes,
    netTxBytes: net.txBytes,
  };
}
