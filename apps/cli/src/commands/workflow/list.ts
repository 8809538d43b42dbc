import { SlothCommand } from '../../base-command.js';
import { tableOrJsonFlag } from '../../output-flag.js';
import { fileFlag, inputFlags } from '../../workflow-flags.js';

export default class WorkflowList extends SlothCommand {
  static override summary = 'List the workflows a .sloth file defines (`sloth-runner list -f FILE` is the same).';
  static override aliases = ['list'];
  static override flags = {
    file: fileFlag,
    ...inputFlags,
    output: tableOrJsonFlag,
  };
  static override examples = ['<%= config.bin %> workflow list -f examples/pipeline.sloth'];

  async run(): Promise<void> {
    const { flags } = await this.parse(WorkflowList);
    const [{ openWorkflowFile }, { default: Table }] = await Promise.all([
      import('../../open-workflow-file.js'),
      import('cli-table3'),
    ]);
    const { file } = await openWorkflowFile(flags);
    try {
      const rows = file.workflows.map((w) => ({
        name: w.name,
        description: w.description ?? '',
        version: w.version ?? '',
        tasks: w.tasks.map((t) => t.name),
      }));
      if (flags.output === 'json') {
        this.log(JSON.stringify({ file: file.displayPath, implicit: file.implicit, workflows: rows }, null, 2));
        return;
      }
      const table = new Table({ head: ['Workflow', 'Description', 'Version', 'Tasks'], wordWrap: true });
      for (const r of rows) table.push([r.name, r.description, r.version, `${r.tasks.length}: ${r.tasks.join(', ')}`]);
      this.log(table.toString());
      if (file.implicit) this.log(`(${file.displayPath} declares no workflow; its tasks run as the workflow '${rows[0]?.name}')`);
    } finally {
      file.close();
    }
  }
}
