import { Flags } from '@oclif/core';
import { hostArg, installFlags } from '../../agent-install/install-flags.js';
import { SlothCommand } from '../../base-command.js';
import { masterFlags } from '../../fleet-cli/flags.js';

export default class AgentInstall extends SlothCommand {
  static override summary = 'Install an agent on a machine over SSH, as a systemd service, and wait until the master lists it.';
  static override description =
    "Sends this machine's Node and sloth-agent (not downloaded: the host needs no registry access) over SSH, unpacks them under --prefix, writes the master's token to a 0600 file and a systemd unit (Restart=always), enables and starts it, then waits until the master lists the agent as Active. Re-running changes nothing; a newer sloth-runner upgrades and restarts it. On a host without systemd, it installs everything, says so, and prints the command that runs the agent by hand. The host must be the same OS and CPU as this machine (Linux x86_64 or aarch64).";
  static override args = { host: hostArg };
  static override flags = {
    ...installFlags,
    ...masterFlags,
    labels: Flags.string({ description: 'Labels k=v for the agent (repeatable, or comma-separated).', multiple: true }),
    wait: Flags.string({
      description: 'How long to wait for the agent to be Active at the master (0: do not wait).',
      default: '60s',
    }),
  };
  static override examples = [
    '<%= config.bin %> agent install deploy@10.0.0.5 --name web-01 --master 10.0.0.1:50053 --token-file token --sudo',
    '<%= config.bin %> agent install web-01 -i inventory.yaml --name web-01 --master 10.0.0.1:50053 --token-file token --labels role=web',
  ];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(AgentInstall);
    const { runAgentInstall } = await import('../../agent-install/install-command.js');
    await runAgentInstall(this, args.host, flags);
  }
}
