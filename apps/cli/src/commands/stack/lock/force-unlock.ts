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
    const [{ withStacks }, store] = await Promise.all([import('../../../stack-cli/open.js'), import('@sloth/core/store')]);
    const released = await withStacks(flags['data-dir'], (repo, s) => {
      repo.getStack(args.name);
      const holder = store.leaseHolder(s, store.stackLockName(args.name));
      return store.forceReleaseLease(s, store.stackLockName(args.name)) ? holder : false;
    });
    if (released === false) this.log(`stack '${args.name}' was not locked`);
    else this.log(`released the lock of stack '${args.name}'${released ? ` (held by ${store.describeHolder(released)})` : ''}`);
  }
}
