import { Flags } from '@oclif/core';
import { SlothCommand } from '../../base-command.js';

export default class SchedulerRun extends SlothCommand {
  static override summary = 'Fire the schedules of a data directory, in the foreground, until SIGINT/SIGTERM.';
  static override description =
    "Only one scheduler fires a data directory's schedules: it holds a lease in the store, and a second `scheduler run` (or a `master start`) on the same directory stands by and takes over within --lease-ttl if the first dies. Each firing runs `sloth-runner workflow run` as a child process; on SIGINT/SIGTERM the runs going on are stopped (recorded interrupted) and the lease is released.";
  static override flags = {
    'lease-ttl': Flags.string({
      description: 'How long the lease lasts without renewal: a scheduler that dies is replaced within it.',
      default: '15s',
    }),
    tick: Flags.string({ description: 'The longest pause between two looks at the schedules.', default: '1s' }),
  };
  static override examples = ['<%= config.bin %> scheduler run', '<%= config.bin %> scheduler run --data-dir /var/lib/sloth'];

  async run(): Promise<void> {
    const { flags } = await this.parse(SchedulerRun);
    const [{ daemonLog }, { parseDurationFlag }, { defaultDataDir }, { withStore }, { runSchedulerUntilSignal }] =
      await Promise.all([
        import('@sloth/client'),
        import('../../duration-flag.js'),
        import('@sloth/store-sqlite'),
        import('../../store-access.js'),
        import('../../scheduler/scheduler-daemon.js'),
      ]);
    const leaseTtlMs = parseDurationFlag('--lease-ttl', flags['lease-ttl'], 'e.g. --lease-ttl 15s');
    const tickMs = parseDurationFlag('--tick', flags.tick, 'e.g. --tick 1s');
    if (leaseTtlMs < 1000 || tickMs < 10) {
      const { SlothError } = await import('@sloth/core');
      throw new SlothError('usage', '--lease-ttl must be at least 1s and --tick at least 10ms');
    }
    const { resolve } = await import('node:path');
    const dataDir = resolve(flags['data-dir'] ?? defaultDataDir());
    const log = daemonLog(flags.debug);
    await withStore(dataDir, (store) => runSchedulerUntilSignal({ store, dataDir, log, leaseTtlMs, tickMs }));
  }
}
