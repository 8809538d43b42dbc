import { SlothCommand } from '../../base-command.js';
import { onMasterFlags, outputFlag } from '../../scheduler-cli/flags.js';

export default class SchedulerList extends SlothCommand {
  static override summary = 'List schedules: when they fire, whether enabled, the next run, the last run and its result.';
  static override flags = { output: outputFlag, ...onMasterFlags };
  static override examples = [
    '<%= config.bin %> scheduler list',
    '<%= config.bin %> scheduler list -o json',
    '<%= config.bin %> scheduler list --master prod',
  ];

  async run(): Promise<void> {
    const { flags } = await this.parse(SchedulerList);
    const [{ schedulesWithLast }, f, { iso, table }] = await Promise.all([
      import('../../scheduler-cli/schedule-access.js'),
      import('../../scheduler-cli/format.js'),
      import('../../stack-cli/format.js'),
    ]);
    const { schedules, last } = await schedulesWithLast(flags);
    if (flags.output === 'json') {
      this.log(
        JSON.stringify(
          schedules.map((s) => f.scheduleJson(s, last.get(s.name))),
          null,
          2,
        ),
      );
      return;
    }
    if (schedules.length === 0) {
      this.log('no schedules (add one with `sloth-runner scheduler add NAME --cron "..." -f FILE`)');
      return;
    }
    const rows = schedules.map((s) => {
      const r = last.get(s.name);
      return [
        s.name,
        f.whenText(s),
        s.enabled ? 'yes' : 'no',
        f.nextRunText(s),
        r ? `${f.runStatusText(r.status)} ${iso(r.startedAt ?? r.dueAt)}` : 'never',
        s.file,
      ];
    });
    this.log(table(['Name', 'When', 'Enabled', 'Next run', 'Last run', 'File'], rows));
  }
}
