import { Args } from '@oclif/core';
import { SlothCommand } from '../../base-command.js';
import { textOrJsonFlag } from '../../output-flag.js';
import { fileFlag, inputFlags } from '../../workflow-flags.js';

export default class WorkflowPreview extends SlothCommand {
  static override summary = 'Show a workflow as levels: what runs in parallel, what waits on what. Runs nothing.';
  static override args = { name: Args.string({ description: 'The workflow; optional when the file defines only one.' }) };
  static override flags = {
    file: fileFlag,
    ...inputFlags,
    output: textOrJsonFlag,
  };
  static override examples = ['<%= config.bin %> workflow preview -f examples/ci-pipeline.sloth'];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(WorkflowPreview);
    const [{ openWorkflowFile }, { formatPreview, previewData }] = await Promise.all([
      import('../../open-workflow-file.js'),
      import('../../preview-format.js'),
    ]);
    const { file } = await openWorkflowFile(flags);
    try {
      const workflow = file.findWorkflow(args.name);
      this.log(flags.output === 'json' ? JSON.stringify(previewData(workflow), null, 2) : formatPreview(workflow));
    } finally {
      file.close();
    }
  }
}
