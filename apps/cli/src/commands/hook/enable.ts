import { SlothCommand } from '../../base-command.js';
import { hookNameArg } from '../../events-cli/flags.js';

export default class HookEnable extends SlothCommand {
  static override summary = 'Enable a hook: it runs for the events dispatched from now on.';
  static override args = { name: hookNameArg };
  static override examples = ['<%= config.bin %> hook enable notify_failures'];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(HookEnable);
    const [{ withStore }, { hookRepo }] = await Promise.all([import('../../store-access.js'), import('@sloth/store-sqlite')]);
    await withStore(flags['data-dir'], (store) => hookRepo(store).setEnabled(args.name, true));
    this.log(`enabled hook ${args.name}`);
  }
}
