import { Args } from '@oclif/core';
import { SlothCommand } from '../../base-command.js';

export default class MasterSelect extends SlothCommand {
  static override summary = 'Make a saved master the default (used when --master is not given).';
  static override args = { name: Args.string({ description: 'A saved master.', required: true }) };
  static override examples = ['<%= config.bin %> master select staging'];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(MasterSelect);
    const { updateMasters, findMaster } = await import('../../fleet-cli/masters-edit.js');
    const m = updateMasters(flags['data-dir'], (file) => {
      const found = findMaster(file, args.name);
      file.default = found.name;
      return found;
    });
    this.log(`Master '${m.name}' is now the default\n  Address: ${m.address}`);
  }
}
