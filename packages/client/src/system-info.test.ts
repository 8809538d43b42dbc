import { describe, expect, it } from 'vitest';
import { collectSystemInfo } from './system-info.js';

describe('collectSystemInfo', () => {
  it('reports this machine: cpus, memory, the disk of a path, load, uptime and network counters', async () => {
    const s = await collectSystemInfo('/');
    expect(s.cpus).toBeGreaterThan(0);
    expect(s.memoryTotalBytes).toBeGreaterThan(s.memoryFreeBytes ?? 0n);
    expect(s.diskTotalBytes).toBeGreaterThan(0n);
    expect(s.uptimeSeconds).toBeGreaterThan(0);
    expect(s.hostname).not.toBe('');
    // Linux (where the tests run) has them; a machine without a non-loopback interface would report 0.
    expect(typeof s.netRxBytes).toBe('bigint');
    expect(typeof s.netTxBytes).toBe('bigint');
  });

  it('reports a missing disk as zero instead of failing', async () => {
    const s = await collectSystemInfo('/no/such/dir');
    expect(s.diskTotalBytes).toBe(0n);
  });
});
