import { Flags } from '@oclif/core';
import { SlothCommand } from '../../base-command.js';
import { agentNameArg, masterFlags, outputFlag } from '../../fleet-cli/flags.js';

export default class AgentMetrics extends SlothCommand {
  static override summary = "An agent's system info over time (load, memory, disk, network, running work), from its heartbeats.";
  static override description =
    "The master keeps one sample of each agent's heartbeats per metrics interval (default a minute) for the metrics retention (default 24h): see `master start --metrics-interval/--metrics-retention`. The samples outlive a restart of the master; `agent delete` forgets them.";
  static override args = { name: agentNameArg };
  static override flags = {
    ...masterFlags,
    since: Flags.string({ description: 'Only the samples of this last while (e.g. 30m, 6h); 0: every one kept.', default: '1h' }),
    limit: Flags.integer({ description: 'At most this many samples, the most recent.', default: 1000, min: 1, max: 100_000 }),
    output: outputFlag,
  };
  static override examples = [
    '<%= config.bin %> agent metrics my-agent',
    '<%= config.bin %> agent metrics my-agent --since 24h -o json',
  ];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(AgentMetrics);
    const [{ withControl }, f, { table }, { parseDuration }] = await Promise.all([
      import('../../fleet-cli/connect.js'),
      import('../../fleet-cli/metrics-format.js'),
      import('../../state-cli/format.js'),
      import('@sloth/core'),
    ]);
    const windowMs = parseDuration(flags.since, '--since');
    const res = await withControl(flags, (c) =>
      c.getAgentMetrics({ name: args.name, windowMs: BigInt(windowMs), limit: flags.limit }),
    );
    if (flags.output === 'json') {
      this.log(JSON.stringify(f.metricsJson(args.name, res), null, 2));
      return;
    }
    if (res.samples.length === 0) {
      this.log(`no samples of agent ${args.name} in the last ${flags.since}: the master takes them while the agent is connected`);
      this.log(f.metricsPolicyText(res));
      return;
    }
    this.log(
      table(['Time', 'Load 1/5/15', 'Memory used', 'Disk used', 'Network in/out', 'Running work'], f.metricsRows(res.samples)),
    );
    this.log(f.metricsPolicyText(res));
  }
}
