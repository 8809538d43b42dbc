import { SlothCommand } from '../../base-command.js';
import { onMasterFlags, scheduleNameArg } from '../../scheduler-cli/flags.js';

export default class SchedulerRemove extends SlothCommand {
  static override summary = 'Remove a schedule and its history (a run going on finishes; the stack keeps its record).';
  static override args = { name: scheduleNameArg };
  static override flags = onMasterFlags;
  static override examples = [
    '<%= config.bin %> scheduler remove backup',
    '<%= config.bin %> scheduler remove backup --master prod',
  ];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(SchedulerRemove);
    const { removeSchedule } = await import('../../scheduler-cli/schedule-access.js');
    await removeSchedule(flags, args.name);
    this.log(`removed schedule ${args.name}`);
  }
}
