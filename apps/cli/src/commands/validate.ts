import { SlothCommand } from '../base-command.js';
import { textOrJsonFlag } from '../output-flag.js';
import { fileFlag, inputFlags } from '../workflow-flags.js';

export default class Validate extends SlothCommand {
  static override summary = 'Check a .sloth file without running it: syntax, task methods and keys, dependencies, cycles.';
  static override flags = {
    file: fileFlag,
    ...inputFlags,
    output: textOrJsonFlag,
  };
  static override examples = ['<%= config.bin %> validate -f examples/hello-world.sloth'];

  async run(): Promise<void> {
    const { flags } = await this.parse(Validate);
    const [{ openWorkflowFile }, { validateWorkflow }] = await Promise.all([
      import('../open-workflow-file.js'),
      import('@sloth/core/internal'),
    ]);
    const { file } = await openWorkflowFile(flags);
    try {
      for (const w of file.workflows) validateWorkflow(w);
      const tasks = file.workflows.reduce((n, w) => n + w.tasks.length, 0);
      if (flags.output === 'json') {
        this.log(JSON.stringify({ valid: true, file: file.displayPath, workflows: file.workflows.map((w) => w.name), tasks }));
      } else {
        this.log(
          `✓ ${file.displayPath} is valid: ${file.workflows.length} workflow(s) (${file.workflows.map((w) => w.name).join(', ')}), ${tasks} task(s)`,
        );
      }
    } finally {
      file.close();
    }
  }
}
