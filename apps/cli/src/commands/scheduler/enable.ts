import { Args } from '@oclif/core';
import { SlothCommand } from '../../base-command.js';
import { onMasterFlags } from '../../scheduler-cli/flags.js';

export default class SchedulerEnable extends SlothCommand {
  static override summary =
    'Enable a schedule (every schedule without NAME): it fires from its next time on; missed firings are not run.';
  static override args = { name: Args.string({ description: 'The schedule (default: every schedule).' }) };
  static override flags = onMasterFlags;
  static override examples = [
    '<%= config.bin %> scheduler enable backup',
    '<%= config.bin %> scheduler enable',
    '<%= config.bin %> scheduler enable backup --master prod',
  ];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(SchedulerEnable);
    const { setEnabled } = await import('../../scheduler-cli/schedule-access.js');
    const names = await setEnabled(flags, args.name, true);
    this.log(
      names.length === 0 ? 'no schedules' : `enabled ${names.length === 1 ? 'schedule' : 'schedules'} ${names.join(', ')}`,
    );
  }
}
