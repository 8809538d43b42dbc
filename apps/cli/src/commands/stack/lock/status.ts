import { SlothCommand } from '../../../base-command.js';
import { outputFlag, stackNameArg } from '../../../stack-cli/flags.js';

export default class StackLockStatus extends SlothCommand {
  static override summary = 'Who holds the lock of a stack (host, pid, since when), if anyone.';
  static override args = { name: stackNameArg };
  static override flags = { output: outputFlag };
  static override examples = ['<%= config.bin %> stack lock status production'];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(StackLockStatus);
    const [{ withStacks }, lock] = await Promise.all([
      import('../../../stack-cli/open.js'),
      import('../../../stack-cli/lock-view.js'),
    ]);
    await withStacks(flags['data-dir'], (repo, store) => {
      repo.getStack(args.name);
      this.log(
        flags.output === 'json' ? JSON.stringify(lock.lockJson(store, args.name), null, 2) : lock.lockText(store, args.name),
      );
    });
  }
}
