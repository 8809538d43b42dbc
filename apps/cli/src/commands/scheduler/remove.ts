import { SlothCommand } from '../../base-command.js';
import { scheduleNameArg } from '../../scheduler-cli/flags.js';

export default class SchedulerRemove extends SlothCommand {
  static override summary = 'Remove a schedule and its history (a run going on finishes; the stack keeps its record).';
  static override args = { name: scheduleNameArg };
  static override examples = ['<%= config.bin %> scheduler remove backup'];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(SchedulerRemove);
    const [{ withStore }, { scheduleRepo }] = await Promise.all([import('../../store-access.js'), import('@sloth/store-sqlite')]);
    await withStore(flags['data-dir'], (store) => scheduleRepo(store).remove(args.name));
    this.log(`removed schedule ${args.name}`);
  }
}
