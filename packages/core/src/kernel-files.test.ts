import { describe, expect, it } from 'vitest';
import { isInstantKernelFile, readInstantKernelFile, readProcDirectory } from './kernel-files.js';

describe('kernel files read synchronously', () => {
  it('takes the system tables and a process name, not the files that wait on a process or a disk', () => {
    for (const p of ['/proc/mounts', '/proc/sys/kernel/ostype', '/proc/1/comm', '/proc/meminfo'])
      expect(isInstantKernelFile(p), p).toBe(true);
    for (const p of [
      '/proc/1/cmdline',
      '/proc/1/environ',
      '/proc/self/cmdline',
      '/proc/thread-self/comm',
      '/etc/hosts',
      '/procfs/x',
      '/proc',
      '/sys/kernel/mm',
      '/proc/kmsg',
      '/proc/kcore',
      '/proc/net/tcp',
      '/proc/123',
    ])
      expect(isInstantKernelFile(p), p).toBe(false);
  });

  it('reads them with the shape of an asynchronous read: a resolved content or a rejected error', async () => {
    expect((await readInstantKernelFile('/proc/sys/kernel/ostype')).toString()).toBe('Linux\n');
    await expect(readInstantKernelFile('/proc/sys/kernel/no-such-parameter')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readProcDirectory()).toContain(String(process.pid));
  });
});
