import { Flags } from '@oclif/core';
import { SlothCommand } from '../../base-command.js';
import { agentNameArg, masterFlags } from '../../fleet-cli/flags.js';

export default class AgentStop extends SlothCommand {
  static override summary =
    'Ask a connected agent to exit (its running commands are killed; it stays in the list as Inactive); --local stops the agent daemon of this machine.';
  static override description =
    'Without --local the master is asked to stop the agent, wherever it runs. With --local the agent started with `agent start --daemon` on this machine and data directory is stopped by its pid file (agent-NAME.pid): SIGTERM, a wait of up to 20s until it has exited, and the pid file removed; no master is needed.';
  static override args = { name: agentNameArg };
  static override flags = {
    ...masterFlags,
    local: Flags.boolean({
      description: 'Stop the agent daemon of this machine by its pid file instead of asking the master.',
      default: false,
    }),
  };
  static override examples = ['<%= config.bin %> agent stop web-01', '<%= config.bin %> agent stop web-01 --local'];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(AgentStop);
    if (flags.local) {
      const [{ stopInBackground }, { agentNameSchema }, { SlothError }] = await Promise.all([
        import('../../daemon-cli.js'),
        import('@sloth/agent'),
        import('@sloth/core'),
      ]);
      const name = agentNameSchema.safeParse(args.name);
      if (!name.success) throw new SlothError('usage', `invalid agent name '${args.name}': ${name.error.issues[0]?.message}`);
      await stopInBackground(this, {
        what: `agent ${args.name}`,
        file: `agent-${args.name}`,
        dataDir: flags['data-dir'],
        startCommand: `sloth-runner agent start --name ${args.name} --daemon`,
      });
      return;
    }
    const { withControl } = await import('../../fleet-cli/connect.js');
    await withControl(flags, (c) => c.stopAgent({ name: args.name }));
    this.log(`asked agent ${args.name} to stop`);
  }
}
