import type { ModuleCallContext } from '@sloth/core';

/** The kernel keeps 15 characters of a process's name in /proc/PID/comm (TASK_COMM_LEN less its NUL). */
const COMM_LEN = 15;

/**
 * How many processes are named `name`: their /proc/PID/comm, or, for a name longer than comm keeps, the file name of
 * their argv[0]. Read from /proc through the host, no shell; a process that ends meanwhile is not counted.
 */
export async function countProcesses(ctx: ModuleCallContext, name: string): Promise<number> {
  const pids = (await ctx.host.readdir('/proc')).filter((e) => /^\d+$/.test(e));
  const read = async (path: string) => {
    try {
      return (await ctx.host.readFile(path)).toString('utf8');
    } catch {
      return undefined;
    }
  };
  let count = 0;
  await Promise.all(
    pids.map(async (pid) => {
      const comm = (await read(`/proc/${pid}/comm`))?.replace(/\n$/, '');
      if (comm === undefined) return;
      if (comm === name) count += 1;
      else if (name.length > COMM_LEN && comm === name.slice(0, COMM_LEN)) {
        const argv0 = (await read(`/proc/${pid}/cmdline`))?.split('\0')[0] ?? '';
        if (argv0.slice(argv0.lastIndexOf('/') + 1) === name) count += 1;
      }
    }),
  );
  return count;
}
