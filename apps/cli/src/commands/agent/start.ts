import { Flags } from '@oclif/core';
import { SlothCommand } from '../../base-command.js';
import { masterFlags } from '../../fleet-cli/flags.js';

export default class AgentStart extends SlothCommand {
  static override summary = 'Run an agent: it dials the master, registers and runs the work it is sent.';
  static override description =
    "The agent needs no inbound port: it opens one long-lived HTTP/2 stream to the master (--port and --bind-address are accepted for the seed's command lines, and ignored with a notice). With --metrics-port it serves GET /metrics (Prometheus), /healthz and /readyz (200 once registered with the master, 503 while not) over plain HTTP on --metrics-bind (default 127.0.0.1); those endpoints are read-only. It heartbeats (default every 5s), and when the link dies it reconnects with exponential backoff (5s doubling to 60s, with jitter; every outage starts again from 5s) and registers again; results of commands that finished meanwhile are delivered then, and so are events its tasks dispatched (kept in --data-dir until the master has them). SIGINT/SIGTERM stop it cleanly (running commands are killed). With --daemon it runs in the background: the command returns once the agent has registered (or fails with its error), its pid is in agent-NAME.pid and its output in agent-NAME.log of the data directory, and `sloth-runner agent stop NAME --local` stops it. The standalone `sloth-agent` program does the same without the CLI.";
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
    daemon: Flags.boolean({
      description: 'Run in the background: return once registered; pid and log in the data directory (agent-NAME.pid, .log).',
      default: false,
    }),
    'metrics-port': Flags.integer({
      description: 'Serve /metrics (Prometheus), /healthz and /readyz on this port (0: any free port).',
      min: 0,
      max: 65535,
    }),
    'metrics-bind': Flags.string({
      description: 'Address of the --metrics-port server (0.0.0.0: every interface, for a remote Prometheus).',
      default: '127.0.0.1',
    }),
    'health-checks': Flags.boolean({
      description:
        "Raise system.cpu_high, system.memory_high, system.disk_full (and system.*_recovered) into the master's event queue when a threshold is crossed for --health-heartbeats heartbeats in a row.",
      default: false,
    }),
    'cpu-high': Flags.string({ description: 'CPU use threshold in percent, with --health-checks (default 90).' }),
    'memory-high': Flags.string({ description: 'Memory use threshold in percent, with --health-checks (default 90).' }),
    'disk-high': Flags.string({ description: 'Disk use threshold in percent, with --health-checks (default 90).' }),
    'health-heartbeats': Flags.string({
      description: 'Heartbeats in a row a threshold must be crossed (or back under) before its event (default 3).',
    }),
    'health-command': Flags.string({
      description:
        'NAME=COMMAND, with --health-checks (repeatable): run COMMAND each heartbeat (through sh, killed after 10 s); failing for --health-heartbeats results in a row raises health.check_failed, passing as many again health.check_recovered.',
      multiple: true,
    }),
    port: Flags.string({ description: 'Ignored (with a notice): an agent listens on no port, it dials out to its master.' }),
    'bind-address': Flags.string({ description: 'Ignored (with a notice), like --port.' }),
  };
  static override examples = [
    '<%= config.bin %> agent start --name web-01 --master 10.0.0.5:50053 --token-file /etc/sloth/token --labels env=prod,role=web',
    '<%= config.bin %> agent start --name build-01 --master https://master.example.com:50053 --ca /etc/sloth/ca.pem',
    '<%= config.bin %> agent start --name agent1 --master 192.168.1.29:50053 --token-file token --daemon',
    '<%= config.bin %> agent start --name web-01 --master 10.0.0.5:50053 --metrics-port 9100 --metrics-bind 0.0.0.0',
    '<%= config.bin %> agent start --name web-01 --master 10.0.0.5:50053 --health-checks --cpu-high 90 --memory-high 90 --disk-high 90',
  ];

  async run(): Promise<void> {
    const { flags } = await this.parse(AgentStart);
    const [{ agentOptionsFrom, listenFlagsNotice, runAgentProcess }, { resolveMasterAddress }] = await Promise.all([
      import('@sloth/agent'),
      import('../../fleet-cli/connect.js'),
    ]);
    const notice = listenFlagsNotice({ port: flags.port, bindAddress: flags['bind-address'] });
    if (notice) process.stderr.write(notice);
    // Built before a daemon starts too: a usage mistake is reported here, not in its log.
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
      metricsPort: flags['metrics-port'],
      metricsBind: flags['metrics-bind'],
      healthChecks: flags['health-checks'],
      cpuHigh: flags['cpu-high'],
      memoryHigh: flags['memory-high'],
      diskHigh: flags['disk-high'],
      healthHeartbeats: flags['health-heartbeats'],
      healthCommands: flags['health-command'],
      version: this.config.version,
    });
    if (flags.daemon) {
      const { startInBackground } = await import('../../daemon-cli.js');
      await startInBackground(this, {
        what: `agent ${options.name}`,
        file: `agent-${options.name}`,
        dataDir: flags['data-dir'],
        args: ['agent', 'start'],
        stopCommand: `sloth-runner agent stop ${options.name} --local`,
      });
      return;
    }
    await runAgentProcess(options);
  }
}
