import { SlothCommand } from '../../base-command.js';
import { outputFlag } from '../../stack-cli/flags.js';

export default class StackList extends SlothCommand {
  static override summary = 'List the stacks: resources, last run and its status.';
  static override flags = { output: outputFlag };
  static override examples = ['<%= config.bin %> stack list', '<%= config.bin %> stack list --output json'];

  async run(): Promise<void> {
    const { flags } = await this.parse(StackList);
    const [{ withStacks }, f] = await Promise.all([import('../../stack-cli/open.js'), import('../../stack-cli/format.js')]);
    const stacks = await withStacks(flags['data-dir'], (repo) => repo.listStacks());
    if (flags.output === 'json') {
      const rows = stacks.map((s) => ({
        name: s.name,
        id: s.id,
        description: s.description ?? null,
        resources: s.resources,
        created_at: f.iso(s.createdAt),
        updated_at: f.iso(s.updatedAt),
        last_execution: s.lastExecution ? f.executionJson(s.lastExecution) : null,
      }));
      this.log(JSON.stringify(rows, null, 2));
      return;
    }
    if (stacks.length === 0) {
      this.log('no stacks yet: `sloth-runner workflow run NAME -f FILE` records a run in stack NAME');
      return;
    }
    const rows = stacks.map((s) => [
      s.name,
      s.description ?? '',
      String(s.resources),
      s.lastExecution ? f.iso(s.lastExecution.startedAt) : '',
      s.lastExecution ? f.statusText(s.lastExecution.status) : '',
    ]);
    this.log(f.table(['Stack', 'Description', 'Resources', 'Last run', 'Status'], rows));
  }
}
