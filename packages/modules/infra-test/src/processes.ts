import type { ModuleCallContext } from '@sloth/core';
import { fact } from './facts-memo.js';

/** The kernel keeps 15 characters of a process's name in /proc/PID/comm (TASK_COMM_LEN less its NUL). */
const COMM_LEN = 15;

/** A file of /proc, or undefined when its process ended meanwhile. */
async function readProc(ctx: ModuleCallContext, path: string): Promise<string | undefined> {
  try {
    return (await ctx.host.readFile(path)).toString('utf8');
  } catch {
    return undefined;
  }
}

/** Every process's pid and /proc/PID/comm, read through the host (no shell). */
function processTable(ctx: ModuleCallContext): Promise<[pid: string, comm: string][]> {
  return fact(ctx, 'processes', async () => {
    const pids = (await ctx.host.readdir('/proc')).filter((e) => /^\d+$/.test(e));
    const table = await Promise.all(
      pids.map(async (pid) => [pid, (await readProc(ctx, `/proc/${pid}/comm`))?.replace(/\n$/, '')] as const),
    );
    return table.filter((row): row is [string, string] => row[1] !== undefined);
  });
}

/**
 * How many processes are named `name`: their /proc/PID/comm, or, for a name longer than comm keeps, the file name of
 * their argv[0]. A process that ends meanwhile is not counted.
 */
export async function countProcesses(ctx: ModuleCallContext, name: string): Promise<number> {
  let count = 0;
  await Promise.all(
    (await processTable(ctx)).map(async ([pid, comm]) => {
      if (comm === name) count += 1;
      else if (name.length > COMM_LEN && comm === name.slice(0, COMM_LEN)) {
        const argv0 = (await readProc(ctx, `/proc/${pid}/cmdline`))?.split('\0')[0] ?? '';
        if (argv0.slice(argv0.lastIndexOf('/') + 1) === name) count += 1;
      }
    }),
  );
  return count;
}
