import { Args, Flags } from '@oclif/core';
import { SlothCommand } from '../../base-command.js';
import { outputFlag } from '../../state-cli/flags.js';

export default class StateClear extends SlothCommand {
  static override summary = 'Delete every state key matching a glob, or all of them with --all.';
  static override args = { pattern: Args.string({ description: 'Glob over keys: * any run of characters, ? one character.' }) };
  static override flags = {
    all: Flags.boolean({ description: 'Delete every key (instead of a PATTERN).', default: false }),
    output: outputFlag,
  };
  static override examples = ["<%= config.bin %> state clear 'cache:*'", '<%= config.bin %> state clear --all'];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(StateClear);
    const [{ withState }, { SlothError }] = await Promise.all([import('../../state-cli/open.js'), import('@sloth/core')]);
    if (!args.pattern && !flags.all) {
      throw new SlothError('usage', 'state clear needs a PATTERN, or --all to delete every key', {
        hint: "e.g. sloth-runner state clear 'cache:*'",
      });
    }
    if (args.pattern && flags.all) throw new SlothError('usage', 'give a PATTERN or --all, not both');
    const pattern = args.pattern ?? '*';
    const removed = await withState(flags['data-dir'], (repo) => repo.clear(pattern));
    if (flags.output === 'json') this.log(JSON.stringify({ pattern, removed }, null, 2));
    else this.log(`removed ${removed} key${removed === 1 ? '' : 's'}${args.pattern ? ` matching '${pattern}'` : ''}`);
  }
}
