import { Args } from '@oclif/core';
import { SlothCommand } from '../../base-command.js';

export default class MasterRemove extends SlothCommand {
  static override summary = 'Forget a saved master (if it was the default, the first remaining one becomes the default).';
  static override args = { name: Args.string({ description: 'A saved master.', required: true }) };
  static override examples = ['<%= config.bin %> master remove staging'];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(MasterRemove);
    const { updateMasters, findMaster } = await import('../../fleet-cli/masters-edit.js');
    const newDefault = updateMasters(flags['data-dir'], (file) => {
      findMaster(file, args.name);
      file.masters = file.masters.filter((m) => m.name !== args.name);
      if (file.default === args.name) file.default = file.masters[0]?.name;
      return file.default;
    });
    this.log(`Master '${args.name}' removed${newDefault ? `; the default is '${newDefault}'` : ''}`);
  }
}
