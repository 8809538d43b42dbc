import { Args } from '@oclif/core';
import { SlothCommand } from '../../base-command.js';

export default class SchedulerEnable extends SlothCommand {
  static override summary =
    'Enable a schedule (every schedule without NAME): it fires from its next time on; missed firings are not run.';
  static override args = { name: Args.string({ description: 'The schedule (default: every schedule).' }) };
  static override examples = ['<%= config.bin %> scheduler enable backup', '<%= config.bin %> scheduler enable'];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(SchedulerEnable);
    const [{ withStore }, { setSchedulesEnabled }] = await Promise.all([
      import('../../store-access.js'),
      import('../../scheduler-cli/set-enabled.js'),
    ]);
    const names = await withStore(flags['data-dir'], (store) => setSchedulesEnabled(store, args.name, true));
    this.log(
      names.length === 0 ? 'no schedules' : `enabled ${names.length === 1 ? 'schedule' : 'schedules'} ${names.join(', ')}`,
    );
  }
}
