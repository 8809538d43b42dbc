import { SlothCommand } from '../../base-command.js';
import { stackNameArg } from '../../stack-cli/flags.js';

export default class StackDelete extends SlothCommand {
  static override summary =
    'Delete a stack and everything recorded for it (resources, outputs, history). Nothing else is touched.';
  static override args = { name: stackNameArg };
  static override examples = ['<%= config.bin %> stack delete staging'];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(StackDelete);
    const [{ withStacks }, { describeHolder, SlothError }, store] = await Promise.all([
      import('../../stack-cli/open.js'),
      import('@sloth/core/internal'),
      import('@sloth/store-sqlite'),
    ]);
    await withStacks(flags['data-dir'], (repo, s) => {
      repo.getStack(args.name);
      const holder = store.leaseRepo(s).holder(store.stackLockName(args.name));
      if (holder) {
        throw new SlothError('usage', `stack '${args.name}' is in use by a run: ${describeHolder(holder)}`, {
          hint: `wait for it to finish; if that process is gone: sloth-runner stack lock force-unlock ${args.name}`,
        });
      }
      repo.deleteStack(args.name);
    });
    this.log(`deleted stack '${args.name}'`);
  }
}
