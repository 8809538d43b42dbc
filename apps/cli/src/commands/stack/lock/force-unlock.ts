import { SlothCommand } from '../../../base-command.js';
import { stackNameArg } from '../../../stack-cli/flags.js';

export default class StackLockForceUnlock extends SlothCommand {
  static override summary = "Remove a stack's lock whoever holds it.";
  static override description =
    'For a run that died on another host (on this host a dead holder is taken over automatically). If that run is in fact alive, two runs may then change the stack at once.';
  static override args = { name: stackNameArg };
  static override examples = ['<%= config.bin %> stack lock force-unlock production'];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(StackLockForceUnlock);
    const [{ withStacks }, { describeHolder }, store] = await Promise.all([
      import('../../../stack-cli/open.js'),
      import('@sloth/core/internal'),
      import('@sloth/store-sqlite'),
    ]);
    const released = await withStacks(flags['data-dir'], (repo, s) => {
      repo.getStack(args.name);
      const leases = store.leaseRepo(s);
      const holder = leases.holder(store.stackLockName(args.name));
      return leases.forceRelease(store.stackLockName(args.name)) ? holder : false;
    });
    if (released === false) this.log(`stack '${args.name}' was not locked`);
    else this.log(`released the lock of stack '${args.name}'${released ? ` (held by ${describeHolder(released)})` : ''}`);
  }
}
