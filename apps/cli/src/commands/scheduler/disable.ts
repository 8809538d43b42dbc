import { Args } from '@oclif/core';
import { SlothCommand } from '../../base-command.js';
import { onMasterFlags } from '../../scheduler-cli/flags.js';

export default class SchedulerDisable extends SlothCommand {
  static override summary =
    'Disable a schedule (every schedule without NAME): it does not fire until enabled; a run going on finishes.';
  static override args = { name: Args.string({ description: 'The schedule (default: every schedule).' }) };
  static override flags = onMasterFlags;
  static override examples = [
    '<%= config.bin %> scheduler disable backup',
    '<%= config.bin %> scheduler disable',
    '<%= config.bin %> scheduler disable backup --master prod',
  ];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(SchedulerDisable);
    const { setEnabled } = await import('../../scheduler-cli/schedule-access.js');
    const names = await setEnabled(flags, args.name, false);
    this.log(
      names.length === 0 ? 'no schedules' : `disabled ${names.length === 1 ? 'schedule' : 'schedules'} ${names.join(', ')}`,
    );
  }
}
