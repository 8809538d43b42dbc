import { SlothCommand } from '../../base-command.js';
import { outputFlag } from '../../scheduler-cli/flags.js';

export default class SchedulerList extends SlothCommand {
  static override summary = 'List schedules: when they fire, whether enabled, the next run, the last run and its result.';
  static override flags = { output: outputFlag };
  static override examples = ['<%= config.bin %> scheduler list', '<%= config.bin %> scheduler list -o json'];

  async run(): Promise<void> {
    const { flags } = await this.parse(SchedulerList);
    const [{ withStore }, { scheduleRepo }, f, { iso, table }] = await Promise.all([
      import('../../store-access.js'),
      import('@sloth/store-sqlite'),
      import('../../scheduler-cli/format.js'),
      import('../../stack-cli/format.js'),
    ]);
    const { schedules, last } = await withStore(flags['data-dir'], (store) => {
      const repo = scheduleRepo(store);
      return { schedules: repo.list(), last: repo.lastRuns() };
    });
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
