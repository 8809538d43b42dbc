import { SlothCommand } from '../../base-command.js';
import { stackNameArg } from '../../stack-cli/flags.js';

export default class StackDelete extends SlothCommand {
  static override summary =
    'Delete a stack and everything recorded for it (resources, outputs, history). Nothing else is touched.';
  static override args = { name: stackNameArg };
  static override examples = ['<%= config.bin %> stack delete staging'];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(StackDelete);
    const [{ withStacks }, { deleteIdleStack }] = await Promise.all([
      import('../../stack-cli/open.js'),
      import('@sloth/store-sqlite'),
    ]);
    await withStacks(flags['data-dir'], (_repo, store) => deleteIdleStack(store, args.name));
    this.log(`deleted stack '${args.name}'`);
  }
}
