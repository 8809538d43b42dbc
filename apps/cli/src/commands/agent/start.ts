import { Flags } from '@oclif/core';
import { SlothCommand } from '../../base-command.js';
import { masterFlags } from '../../fleet-cli/flags.js';

export default class AgentStart extends SlothCommand {
  static override summary = 'Run an agent in the foreground: it dials the master, registers and runs the work it is sent.';
  static override description =
    'The agent needs no inbound port: it opens one long-lived HTTP/2 stream to the master. It heartbeats (default every 5s), and when the link dies it reconnects with exponential backoff (5s doubling to 60s, with jitter; every outage starts again from 5s) and registers again; results of commands that finished meanwhile are delivered then, and so are events its tasks dispatched (kept in --data-dir until the master has them). SIGINT/SIGTERM stop it cleanly (running commands are killed). The standalone `sloth-agent` program does the same without the CLI.';
  static override flags = {
    name: Flags.string({ description: 'Unique name of this agent in the fleet (or $SLOTH_AGENT_NAME).' }),
    ...masterFlags,
    labels: Flags.string({ description: 'Labels k=v (repeatable, or comma-separated).', multiple: true }),
    'heartbeat-interval': Flags.string({ description: 'How often to heartbeat (default: what the master asks for, 5s).' }),
    'missed-heartbeats': Flags.integer({ description: 'Unanswered heartbeats before the link counts as dead.', default: 3 }),
    'reconnect-initial': Flags.string({
      description: 'First reconnection delay after every outage (default 5s; doubles with jitter while the master stays away).',
    }),
    'reconnect-max': Flags.string({ description: 'Longest reconnection delay (default 60s).' }),
  };
  static override examples = [
    '<%= config.bin %> agent start --name web-01 --master 10.0.0.5:50053 --token-file /etc/sloth/token --labels env=prod,role=web',
    '<%= config.bin %> agent start --name build-01 --master https://master.example.com:50053 --ca /etc/sloth/ca.pem',
  ];

  async run(): Promise<void> {
    const { flags } = await this.parse(AgentStart);
    const [{ agentOptionsFrom, runAgentProcess }, { resolveMasterAddress }] = await Promise.all([
      import('@sloth/agent'),
      import('../../fleet-cli/connect.js'),
    ]);
    const options = agentOptionsFrom({
      name: flags.name,
      master: resolveMasterAddress(flags),
      token: flags.token,
      tokenFile: flags['token-file'],
      ca: flags.ca,
      labels: flags.labels,
      heartbeatInterval: flags['heartbeat-interval'],
      missedHeartbeats: flags['missed-heartbeats'],
      reconnectInitial: flags['reconnect-initial'],
      reconnectMax: flags['reconnect-max'],
      debug: flags.debug,
      dataDir: flags['data-dir'],
      version: this.config.version,
    });
    await runAgentProcess(options);
  }
}
