import { Args } from '@oclif/core';
import { SlothCommand } from '../../base-command.js';
import { outputFlag } from '../../state-cli/flags.js';

export default class StateList extends SlothCommand {
  static override summary = 'List state keys with their values, time to live and version.';
  static override args = {
    pattern: Args.string({ description: 'Glob over keys: * any run of characters, ? one character (default: every key).' }),
  };
  static override flags = { output: outputFlag };
  static override examples = ['<%= config.bin %> state list', "<%= config.bin %> state list 'deploy:*' --output json"];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(StateList);
    const [{ withState }, f] = await Promise.all([import('../../state-cli/open.js'), import('../../state-cli/format.js')]);
    const { entries, path } = await withState(flags['data-dir'], (repo, store) => ({
      entries: repo.list(args.pattern ?? '*'),
      path: store.path,
    }));
    if (flags.output === 'json') {
      this.log(
        JSON.stringify(
          entries.map((e) => f.entryJson(e)),
          null,
          2,
        ),
      );
      return;
    }
    if (entries.length === 0) {
      this.log(`no state keys${args.pattern ? ` match '${args.pattern}'` : ''} in ${path}`);
      return;
    }
    const rows = entries.map((e) => [
      e.key,
      f.cell(e.value),
      f.ttlText(e.expiresAt),
      String(e.version),
      new Date(e.updatedAt).toISOString(),
    ]);
    this.log(f.table(['Key', 'Value', 'Expires in', 'Version', 'Updated'], rows));
  }
}
