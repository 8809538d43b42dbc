import { SlothCommand } from '../../base-command.js';
import { outputFlag } from '../../events-cli/flags.js';

export default class HookList extends SlothCommand {
  static override summary = 'List hooks: the events they take, whether enabled, their last execution.';
  static override flags = { output: outputFlag };
  static override examples = ['<%= config.bin %> hook list', '<%= config.bin %> hook list -o json'];

  async run(): Promise<void> {
    const { flags } = await this.parse(HookList);
    const [{ withStore }, { hookRepo }, f] = await Promise.all([
      import('../../store-access.js'),
      import('@sloth/store-sqlite'),
      import('../../events-cli/format.js'),
    ]);
    const hooks = await withStore(flags['data-dir'], (store) => hookRepo(store).summaries());
    if (flags.output === 'json') {
      const doc = hooks.map((h) =>
        f.hookJson(h, { executions: h.executions, last_execution: h.lastExecution ? f.executionJson(h.lastExecution) : null }),
      );
      this.log(JSON.stringify(doc, null, 2));
      return;
    }
    if (hooks.length === 0) {
      this.log('no hooks (add one with `sloth-runner hook add FILE`)');
      return;
    }
    const rows = hooks.map((h) => [
      h.name,
      h.eventType,
      h.stack ?? '',
      h.enabled ? 'yes' : 'no',
      h.lastExecution ? `${f.resultText(h.lastExecution)} ${f.iso(h.lastExecution.startedAt)}` : 'never',
      String(h.executions),
      h.path,
    ]);
    this.log(f.table(['Name', 'Event', 'Stack', 'Enabled', 'Last run', 'Runs', 'File'], rows));
  }
}
