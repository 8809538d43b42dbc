import { SlothCommand } from '../../base-command.js';
import { agentNameArg, masterFlags } from '../../fleet-cli/flags.js';

export default class AgentStop extends SlothCommand {
  static override summary = 'Ask a connected agent to exit (its running commands are killed). It stays in the list as Inactive.';
  static override args = { name: agentNameArg };
  static override flags = { ...masterFlags };
  static override examples = ['<%= config.bin %> agent stop web-01'];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(AgentStop);
    const { withControl } = await import('../../fleet-cli/connect.js');
    await withControl(flags, (c) => c.stopAgent({ name: args.name }));
    this.log(`asked agent ${args.name} to stop`);
  }
}
