import { hostArg, installFlags } from '../../agent-install/install-flags.js';
import { SlothCommand } from '../../base-command.js';

export default class AgentUninstall extends SlothCommand {
  static override summary = 'Stop and remove an agent installed with `agent install`.';
  static override description =
    'Stops and disables its systemd unit (or, without systemd, the agent started by hand, by its pid file), removes the unit and its token, and the installed Node and sloth-agent when no other agent of this host uses them.';
  static override args = { host: hostArg };
  static override flags = installFlags;
  static override examples = ['<%= config.bin %> agent uninstall deploy@10.0.0.5 --name web-01 --sudo'];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(AgentUninstall);
    const { runAgentUninstall } = await import('../../agent-install/install-command.js');
    await runAgentUninstall(this, args.host, flags);
  }
}
