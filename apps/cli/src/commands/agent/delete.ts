import { SlothCommand } from '../../base-command.js';
import { agentNameArg, masterFlags } from '../../fleet-cli/flags.js';

export default class AgentDelete extends SlothCommand {
  static override summary = "Remove an agent from the master's registry (stop it first if it is connected).";
  static override args = { name: agentNameArg };
  static override flags = { ...masterFlags };
  static override examples = ['<%= config.bin %> agent delete old-web-01'];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(AgentDelete);
    const { withControl } = await import('../../fleet-cli/connect.js');
    await withControl(flags, (c) => c.deleteAgent({ name: args.name }));
    this.log(`deleted agent ${args.name}`);
  }
}
