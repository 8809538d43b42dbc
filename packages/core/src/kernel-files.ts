import { readdirSync, readFileSync } from 'node:fs';

/**
 * Files the kernel makes up on the spot under /proc, small and quick to make: system tables (/proc/mounts,
 * /proc/meminfo, /proc/sys/...) and a process's name (/proc/PID/comm). They are read synchronously: through Node's
 * thread pool each read costs four round trips (open, fstat, read, close), which made a process table of a few hundred
 * entries take longer than every other check of an infra_test run together. A list, not all of /proc: /proc/kmsg waits
 * for the next kernel message, /proc/kcore is the size of memory, the /proc/net tables grow with the sockets (tens of
 * milliseconds on a busy server: better off the event loop), and a process's cmdline or environ waits on that
 * process's memory lock, which a process stuck in the kernel holds.
 */
const INSTANT =
  /^\/proc\/(?:\d+\/comm|sys\/.+|mounts|meminfo|stat|loadavg|uptime|cpuinfo|version|swaps|filesystems|modules|partitions|diskstats)$/;

/** Whether `path` (absolute) is a kernel file read synchronously (see INSTANT). */
export const isInstantKernelFile = (path: string): boolean => INSTANT.test(path);

/** The content of a kernel file, as a resolved or rejected promise: the shape of an asynchronous read. */
export function readInstantKernelFile(path: string): Promise<Buffer> {
  try {
    return Promise.resolve(readFileSync(path));
  } catch (err) {
    return Promise.reject(err);
  }
}

/** The entries of /proc itself (one per process), read synchronously as its files are. */
export function readProcDirectory(): Promise<string[]> {
  try {
    return Promise.resolve(readdirSync('/proc'));
  } catch (err) {
    return Promise.reject(err);
  }
}
