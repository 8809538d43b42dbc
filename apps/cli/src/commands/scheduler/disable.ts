import { Args } from '@oclif/core';
import { SlothCommand } from '../../base-command.js';

export default class SchedulerDisable extends SlothCommand {
  static override summary =
    'Disable a schedule (every schedule without NAME): it does not fire until enabled; a run going on finishes.';
  static override args = { name: Args.string({ description: 'The schedule (default: every schedule).' }) };
  static override examples = ['<%= config.bin %> scheduler disable backup', '<%= config.bin %> scheduler disable'];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(SchedulerDisable);
    const [{ withStore }, { setSchedulesEnabled }] = await Promise.all([
      import('../../store-access.js'),
      import('../../scheduler-cli/set-enabled.js'),
    ]);
    const names = await withStore(flags['data-dir'], (store) => setSchedulesEnabled(store, args.name, false));
    this.log(
      names.length === 0 ? 'no schedules' : `disabled ${names.length === 1 ? 'schedule' : 'schedules'} ${names.join(', ')}`,
    );
  }
}
