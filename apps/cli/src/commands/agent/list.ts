import { Flags } from '@oclif/core';
import { SlothError } from '@sloth/core';
import { SlothCommand } from '../../base-command.js';
import { masterFlags, outputFlag } from '../../fleet-cli/flags.js';

export default class AgentList extends SlothCommand {
  static override summary = "List the master's agents: name, address, status, last heartbeat, version, labels.";
  static override flags = {
    ...masterFlags,
    output: outputFlag,
    labels: Flags.string({ description: 'Only agents with these labels (k=v, repeatable or comma-separated).', multiple: true }),
  };
  static override examples = ['<%= config.bin %> agent list', '<%= config.bin %> agent list --master production -o json'];

  async run(): Promise<void> {
    const { flags } = await this.parse(AgentList);
    const [{ withControl }, f, { table }] = await Promise.all([
      import('../../fleet-cli/connect.js'),
      import('../../fleet-cli/format.js'),
      import('../../state-cli/format.js'),
    ]);
    const wanted = labelFilter(flags.labels ?? []);
    const { agents: all } = await withControl(flags, (c) => c.listAgents({}));
    const agents = all.filter((a) => Object.entries(wanted).every(([k, v]) => a.labels[k] === v));
    if (flags.output === 'json') {
      this.log(JSON.stringify(agents.map(f.agentJson), null, 2));
      return;
    }
    if (agents.length === 0 && all.length > 0) {
      this.log(`no agent has the labels ${(flags.labels ?? []).join(',')} (${all.length} agent(s) registered)`);
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

/** `--labels role=web,env=prod` (repeatable) as a table of wanted labels. */
function labelFilter(flags: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of flags.flatMap((f) => f.split(',')).filter(Boolean)) {
    const at = pair.indexOf('=');
    if (at <= 0)
      throw new SlothError('usage', `--labels ${pair}: expected key=value`, { hint: 'e.g. --labels role=web,env=prod' });
    out[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return out;
}
