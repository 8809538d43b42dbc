import { statfs } from 'node:fs/promises';
import { arch, cpus, freemem, hostname, loadavg, platform, totalmem, uptime } from 'node:os';
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { SystemInfoSchema } from '@sloth/proto';

/** What an agent reports about its machine: cpu, memory, disk of `diskPath`, load and uptime. */
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
  };
}
