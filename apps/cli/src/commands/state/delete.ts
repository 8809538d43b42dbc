import { Args } from '@oclif/core';
import { SlothCommand } from '../../base-command.js';
import { outputFlag } from '../../state-cli/flags.js';

export default class StateDelete extends SlothCommand {
  static override summary = 'Delete state keys.';
  static override strict = false;
  static override args = { key: Args.string({ description: 'The keys to delete.', required: true }) };
  static override flags = { output: outputFlag };
  static override examples = ['<%= config.bin %> state delete maintenance', '<%= config.bin %> state delete a b c'];

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(StateDelete);
    const { withState } = await import('../../state-cli/open.js');
    const keys = argv as string[];
    const deleted = await withState(flags['data-dir'], (repo) => keys.filter((k) => repo.delete(k)));
    const missing = keys.filter((k) => !deleted.includes(k));
    if (flags.output === 'json') {
      this.log(JSON.stringify({ deleted, missing }, null, 2));
      return;
    }
    for (const k of deleted) this.log(`deleted ${k}`);
    for (const k of missing) this.log(`no key ${k} (nothing to delete)`);
  }
}
