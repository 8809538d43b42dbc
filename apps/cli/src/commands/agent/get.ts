import { SlothCommand } from '../../base-command.js';
import { agentNameArg, masterFlags, outputFlag } from '../../fleet-cli/flags.js';

export default class AgentGet extends SlothCommand {
  static override summary = 'Show one agent: status, address, labels, and the system info of its last heartbeat.';
  static override args = { name: agentNameArg };
  static override flags = { ...masterFlags, output: outputFlag };
  static override examples = ['<%= config.bin %> agent get web-01', '<%= config.bin %> agent get web-01 -o json'];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(AgentGet);
    const [{ withControl }, f] = await Promise.all([import('../../fleet-cli/connect.js'), import('../../fleet-cli/format.js')]);
    const { agent } = await withControl(flags, (c) => c.getAgent({ name: args.name }));
    if (!agent) throw new Error('the master answered without an agent');
    this.log(flags.output === 'json' ? JSON.stringify(f.agentJson(agent), null, 2) : f.agentDetails(agent));
  }
}
