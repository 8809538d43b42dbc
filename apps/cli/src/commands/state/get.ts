import { SlothCommand } from '../../base-command.js';
import { keyArg, outputFlag } from '../../state-cli/flags.js';

export default class StateGet extends SlothCommand {
  static override summary = 'Print the value of a state key (strings as they are, tables as JSON).';
  static override args = { key: keyArg };
  static override flags = { output: outputFlag };
  static override examples = ['<%= config.bin %> state get last_result', '<%= config.bin %> state get release --output json'];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(StateGet);
    const [{ withState }, f, { SlothError, didYouMean }] = await Promise.all([
      import('../../state-cli/open.js'),
      import('../../state-cli/format.js'),
      import('@sloth/core'),
    ]);
    const found = await withState(flags['data-dir'], (repo, store) => {
      const entry = repo.entry(args.key);
      if (entry) return entry;
      throw new SlothError(
        'not_found',
        `no key '${args.key}' in the state at ${store.path}${didYouMean(args.key, repo.keys())}`,
        {
          hint: 'it may have expired; `sloth-runner state list` shows the keys',
        },
      );
    });
    this.log(flags.output === 'json' ? JSON.stringify(f.entryJson(found), null, 2) : f.showValue(found.value, true));
  }
}
