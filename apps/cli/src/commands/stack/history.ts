import { Flags } from '@oclif/core';
import { SlothCommand } from '../../base-command.js';
import { outputFlag, stackNameArg } from '../../stack-cli/flags.js';

export default class StackHistory extends SlothCommand {
  static override summary = "A stack's runs, newest first: status, tasks and resource changes.";
  static override args = { name: stackNameArg };
  static override flags = {
    output: outputFlag,
    limit: Flags.integer({ char: 'n', description: 'How many runs to show.', default: 20, min: 1 }),
  };
  static override examples = [
    '<%= config.bin %> stack history production',
    '<%= config.bin %> stack history production -n 5 -o json',
  ];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(StackHistory);
    const [{ withStacks }, f] = await Promise.all([import('../../stack-cli/open.js'), import('../../stack-cli/format.js')]);
    const executions = await withStacks(flags['data-dir'], (repo) => repo.executions(repo.getStack(args.name).id, flags.limit));
    if (flags.output === 'json') {
      this.log(JSON.stringify(executions.map(f.executionJson), null, 2));
      return;
    }
    if (executions.length === 0) {
      this.log(`stack '${args.name}' has no runs yet`);
      return;
    }
    const rows = executions.map((e) => [
      f.iso(e.startedAt),
      e.workflow,
      f.statusText(e.status),
      e.finishedAt === undefined ? '' : `${((e.finishedAt - e.startedAt) / 1000).toFixed(1)}s`,
      Object.entries(e.taskCounts)
        .filter(([k]) => k !== 'total')
        .map(([k, n]) => `${n} ${k}`)
        .join(', '),
      f.changeText(e),
      `pid ${e.pid} on ${e.host}`,
    ]);
    this.log(f.table(['Started', 'Workflow', 'Status', 'Took', 'Tasks', 'Resources', 'By'], rows));
  }
}
