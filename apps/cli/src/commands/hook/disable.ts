import { SlothCommand } from '../../base-command.js';
import { hookNameArg } from '../../events-cli/flags.js';

export default class HookDisable extends SlothCommand {
  static override summary = 'Disable a hook: processors stop running it (it stays registered).';
  static override args = { name: hookNameArg };
  static override examples = ['<%= config.bin %> hook disable notify_failures'];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(HookDisable);
    const [{ withStore }, { hookRepo }] = await Promise.all([import('../../store-access.js'), import('@sloth/store-sqlite')]);
    await withStore(flags['data-dir'], (store) => hookRepo(store).setEnabled(args.name, false));
    this.log(`disabled hook ${args.name}`);
  }
}
