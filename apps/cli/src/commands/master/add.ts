import { Args, Flags } from '@oclif/core';
import { SlothCommand } from '../../base-command.js';

export default class MasterAdd extends SlothCommand {
  static override summary = 'Save a master under a name (the first one saved becomes the default).';
  static override args = {
    name: Args.string({ description: 'A name for it: production, staging, local...', required: true }),
    address: Args.string({ description: 'HOST:PORT, or http(s)://HOST:PORT.', required: true }),
  };
  static override flags = { description: Flags.string({ char: 'd', description: 'What this master is.' }) };
  static override examples = ['<%= config.bin %> master add production 192.168.1.29:50053 --description "Production master"'];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(MasterAdd);
    const { updateMasters, checkMasterName, checkAddress } = await import('../../fleet-cli/masters-edit.js');
    checkMasterName(args.name);
    const address = checkAddress(args.address);
    const becameDefault = updateMasters(flags['data-dir'], (file) => {
      if (file.masters.some((m) => m.name === args.name)) {
        return {
          error: `a master named '${args.name}' is already saved`,
          hint: `change its address with \`sloth-runner master update ${args.name} ADDR\``,
        };
      }
      file.masters.push({ name: args.name, address, description: flags.description, addedAt: new Date().toISOString() });
      file.default ??= args.name;
      return file.default === args.name;
    });
    this.log(
      `Master '${args.name}' added\n  Address: ${address}${becameDefault ? '\n  Set as default master (first master added)' : ''}`,
    );
  }
}
