import { SlothCommand } from '../../base-command.js';
import { hookNameArg } from '../../events-cli/flags.js';

export default class HookRemove extends SlothCommand {
  static override summary = 'Remove a hook (its execution history is kept with the events it handled).';
  static override args = { name: hookNameArg };
  static override examples = ['<%= config.bin %> hook remove notify_failures'];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(HookRemove);
    const [{ withStore }, { hookRepo }] = await Promise.all([import('../../store-access.js'), import('@sloth/store-sqlite')]);
    await withStore(flags['data-dir'], (store) => hookRepo(store).remove(args.name));
    this.log(`removed hook ${args.name}`);
  }
}
