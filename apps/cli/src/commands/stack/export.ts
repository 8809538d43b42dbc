import { SlothCommand } from '../../base-command.js';
import { stackNameArg } from '../../stack-cli/flags.js';

export default class StackExport extends SlothCommand {
  static override summary = 'Print a stack as a versioned JSON document (resources, outputs, run history).';
  static override description = 'Read it back with `stack import FILE`, here or on another machine.';
  static override args = { name: stackNameArg };
  static override examples = ['<%= config.bin %> stack export production > production.json'];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(StackExport);
    const [{ withStacks }, { stackExportJson }] = await Promise.all([
      import('../../stack-cli/open.js'),
      import('@sloth/store-sqlite'),
    ]);
    this.log(await withStacks(flags['data-dir'], (_repo, store) => stackExportJson(store, args.name)));
  }
}
