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
    const [{ openWorkflowFile }, { table }] = await Promise.all([
      import('../../open-workflow-file.js'),
      import('../../render/table.js'),
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
      const cells = rows.map((r) => [r.name, r.description, r.version, `${r.tasks.length}: ${r.tasks.join(', ')}`]);
      this.log(table(['Workflow', 'Description', 'Version', 'Tasks'], cells));
      if (file.implicit) this.log(`(${file.displayPath} declares no workflow; its tasks run as the workflow '${rows[0]?.name}')`);
    } finally {
      file.close();
    }
  }
}
