import { Flags } from '@oclif/core';
import { SlothCommand } from '../../base-command.js';
import { onMasterFlags, outputFlag, scheduleNameArg } from '../../scheduler-cli/flags.js';

export default class SchedulerHistory extends SlothCommand {
  static override summary = "A schedule's firings, newest first: runs with their result, and the firings skipped and why.";
  static override args = { name: scheduleNameArg };
  static override flags = {
    limit: Flags.integer({ char: 'n', description: 'How many to show.', default: 20, min: 1, max: 10_000 }),
    output: outputFlag,
    ...onMasterFlags,
  };
  static override examples = [
    '<%= config.bin %> scheduler history backup',
    '<%= config.bin %> scheduler history backup -n 100 -o json',
    '<%= config.bin %> scheduler history backup --master prod',
  ];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(SchedulerHistory);
    const [{ scheduleWithRuns }, f, { iso, table }] = await Promise.all([
      import('../../scheduler-cli/schedule-access.js'),
      import('../../scheduler-cli/format.js'),
      import('../../stack-cli/format.js'),
    ]);
    const { runs } = await scheduleWithRuns(flags, args.name, flags.limit);
    if (flags.output === 'json') {
      this.log(JSON.stringify(runs.map(f.runJson), null, 2));
      return;
    }
    if (runs.length === 0) {
      this.log(`schedule ${args.name} has not fired yet`);
      return;
    }
    const rows = runs.map((r) => [
      `#${r.id}`,
      r.trigger,
      f.runStatusText(r.status),
      iso(r.dueAt),
      iso(r.startedAt),
      f.runDuration(r),
      f.runDetail(r),
    ]);
    this.log(table(['Run', 'Trigger', 'Status', 'Due', 'Started', 'Took', 'Detail'], rows));
  }
}
