import { Args, Flags } from '@oclif/core';
import { SlothCommand } from '../../base-command.js';

export default class MasterUpdate extends SlothCommand {
  static override summary = 'Change the address (or description) of a saved master.';
  static override args = {
    name: Args.string({ description: 'A saved master.', required: true }),
    address: Args.string({ description: 'Its new HOST:PORT, or http(s)://HOST:PORT.', required: true }),
  };
  static override flags = { description: Flags.string({ char: 'd', description: 'A new description.' }) };
  static override examples = ['<%= config.bin %> master update production 192.168.1.30:50053'];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(MasterUpdate);
    const { updateMasters, findMaster, checkAddress } = await import('../../fleet-cli/masters-edit.js');
    const address = checkAddress(args.address);
    updateMasters(flags['data-dir'], (file) => {
      const m = findMaster(file, args.name);
      m.address = address;
      if (flags.description !== undefined) m.description = flags.description;
      return m;
    });
    this.log(`Master '${args.name}' updated\n  Address: ${address}`);
  }
}
