import { Flags } from '@oclif/core';
import { SlothCommand } from '../../base-command.js';
import { onMasterFlags, scheduleNameArg } from '../../scheduler-cli/flags.js';

export default class SchedulerRunNow extends SlothCommand {
  static override summary = "Run a schedule's workflow now, in this terminal, recorded in its history (trigger run-now).";
  static override description =
    "It runs whether or not the schedule is enabled and whatever its overlap policy, with its timeout. The run's log goes to stderr; the exit code is the run's: 0 success, 1 failed or timed out, 130 interrupted (Ctrl-C stops it). It runs on this machine, on the data directory's schedules: --master is refused (run it on the master's machine with its --data-dir).";
  static override args = { name: scheduleNameArg };
  static override flags = {
    // Taken with its credentials, so that a command line written for the other scheduler commands gets the refusal.
    ...onMasterFlags,
    master: Flags.string({
      description:
        "Refused: run-now runs the workflow in this terminal, on this machine. On the master's machine, run it with the master's --data-dir.",
    }),
  };
  static override examples = ['<%= config.bin %> scheduler run-now backup'];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(SchedulerRunNow);
    if (flags.master !== undefined) {
      const { SlothError } = await import('@sloth/core');
      throw new SlothError('usage', 'scheduler run-now --master is not supported: run-now runs the workflow in this terminal', {
        hint: `run \`sloth-runner scheduler run-now ${args.name} --data-dir DIR\` on the master's machine, DIR being the master's data directory`,
      });
    }
    const [{ withStore }, { defaultDataDir, scheduleRepo }, { runScheduleNow }, f, { EXIT }] = await Promise.all([
      import('../../store-access.js'),
      import('@sloth/store-sqlite'),
      import('../../scheduler/run-now.js'),
      import('../../scheduler-cli/format.js'),
      import('../../exit-codes.js'),
    ]);
    const { resolve } = await import('node:path');
    const dataDir = resolve(flags['data-dir'] ?? defaultDataDir());
    const abort = new AbortController();
    const onSignal = () => abort.abort();
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const { run, end } = await withStore(dataDir, (store) =>
        runScheduleNow(store, dataDir, scheduleRepo(store).get(args.name), abort.signal, (chunk) => process.stderr.write(chunk)),
      );
      const r = { ...run, ...end };
      this.log(`schedule ${args.name}: run #${run.id} ${f.runStatusText(end.status)}${end.error ? `: ${end.error}` : ''}`);
      if (r.stack) this.log(`recorded in stack ${r.stack}${r.executionId ? ` (execution ${r.executionId})` : ''}`);
      process.exitCode = end.status === 'success' ? EXIT.ok : end.status === 'interrupted' ? EXIT.interrupted : EXIT.failed;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
}
