import { SlothCommand } from '../../base-command.js';
import { masterFlags, outputFlag } from '../../fleet-cli/flags.js';

export default class AgentList extends SlothCommand {
  static override summary = "List the master's agents: name, address, status, last heartbeat, version, labels.";
  static override flags = { ...masterFlags, output: outputFlag };
  static override examples = ['<%= config.bin %> agent list', '<%= config.bin %> agent list --master production -o json'];

  async run(): Promise<void> {
    const { flags } = await this.parse(AgentList);
    const [{ withControl }, f, { table }] = await Promise.all([
      import('../../fleet-cli/connect.js'),
      import('../../fleet-cli/format.js'),
      import('../../state-cli/format.js'),
    ]);
    const { agents } = await withControl(flags, (c) => c.listAgents({}));
    if (flags.output === 'json') {
      this.log(JSON.stringify(agents.map(f.agentJson), null, 2));
      return;
    }
    if (agents.length === 0) {
      this.log(
        'no agents have registered with this master yet (start one with `sloth-runner agent start --name NAME --master ADDR`)',
      );
      return;
    }
    const now = Date.now();
    const rows = agents.map((a) => [
      a.name,
      a.address,
      f.statusText(a),
      f.agoText(a.lastHeartbeatMs, now),
      a.version,
      f.labelsText(a.labels),
    ]);
    this.log(table(['Name', 'Address', 'Status', 'Last heartbeat', 'Version', 'Labels'], rows));
  }
}
