import { Flags } from '@oclif/core';
import { SlothCommand } from '../../base-command.js';

export default class AgentPackage extends SlothCommand {
  static override summary =
    'Write the standalone agent (this Node and sloth-agent) as one .tar.gz, for machines set up without `agent install`.';
  static override description =
    "The release `agent install` sends: this machine's Node, the sloth-agent program and the packages it loads, in one archive for the same OS and CPU. Unpack it anywhere and run node agent/bin/sloth-agent.js from it (e.g. from a systemd unit like the one `agent install` writes); it needs nothing else installed.";
  static override flags = {
    out: Flags.string({
      char: 'o',
      description: 'Where to write the archive (default: sloth-agent-RELEASE-PLATFORM-ARCH.tar.gz here).',
    }),
  };
  static override examples = ['<%= config.bin %> agent package --out /tmp/sloth-agent.tar.gz'];

  async run(): Promise<void> {
    const { flags } = await this.parse(AgentPackage);
    const { runAgentPackage } = await import('../../agent-install/install-command.js');
    await runAgentPackage(this, flags.out);
  }
}
