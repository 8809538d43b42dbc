import { Args, Flags } from '@oclif/core';
import { SlothCommand } from '../../base-command.js';

const TEMPLATE_NAMES = ['basic', 'pipeline', 'configure-server', 'gitops', 'distributed', 'goroutines', 'hooks'];

export default class WorkflowInit extends SlothCommand {
  static override summary =
    'Start a project from a template: workflow.sloth, values.yaml and a README, ready to run, with Lua stubs for editors.';
  static override description =
    'Files that exist already are not overwritten (the command fails, naming them) unless --force. On a terminal it asks for what the flags do not say (template, workflow name); elsewhere (CI, a pipe) only the flags count, and the template defaults to basic.';
  static override args = { dir: Args.string({ description: 'The project directory (created if needed).', default: '.' }) };
  static override flags = {
    template: Flags.string({ char: 't', description: 'The template.', options: TEMPLATE_NAMES }),
    name: Flags.string({ description: "The workflow's name (default: from the directory name)." }),
    list: Flags.boolean({ description: 'List the templates and exit.', default: false }),
    force: Flags.boolean({ description: 'Overwrite files that exist.', default: false }),
  };
  static override examples = [
    '<%= config.bin %> workflow init my-project --template pipeline',
    '<%= config.bin %> workflow init --list',
    '<%= config.bin %> workflow init infra --template gitops --name infra_sync',
  ];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(WorkflowInit);
    const [{ TEMPLATES }, w, { loadModules }] = await Promise.all([
      import('../../workflow-init/templates/index.js'),
      import('../../workflow-init/write-project.js'),
      import('@sloth/builtin-modules'),
    ]);
    if (flags.list) {
      const width = Math.max(...TEMPLATES.map((t) => t.name.length));
      for (const t of TEMPLATES) this.log(`${t.name.padEnd(width)}  ${t.summary}`);
      return;
    }
    const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY) && !process.env.CI;
    let template = flags.template;
    let name = flags.name;
    let force = flags.force;
    if (interactive) {
      const { confirm, input, select } = await import('@inquirer/prompts');
      template ??= await select({
        message: 'Template',
        choices: TEMPLATES.map((t) => ({ name: t.name, value: t.name, description: t.summary })),
      });
      name ??= await input({ message: 'Workflow name', default: w.workflowNameFor(args.dir) });
      const taken = w.existingFiles(args.dir, w.projectFiles(w.findTemplate(template), { workflow: name }));
      if (taken.length > 0 && !force) {
        force = await confirm({
          message: `${w.shownFiles(taken).join(', ')} exist(s) in ${args.dir}: overwrite?`,
          default: false,
        });
      }
    }
    const t = w.findTemplate(template ?? 'basic');
    const workflow = name ?? w.workflowNameFor(args.dir);
    if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(workflow)) {
      const { SlothError } = await import('@sloth/core');
      throw new SlothError('usage', `invalid workflow name '${workflow}'`, {
        hint: 'use letters, digits, "_", "-" and ".", starting with a letter or "_"',
      });
    }
    // Stubs of every module a workflow here can use: the built-in ones and those of installed plugins.
    const written = w.writeProject(args.dir, w.projectFiles(t, { workflow }, await loadModules()), force);
    this.log(`created ${t.name} project '${workflow}' in ${args.dir}: ${w.shownFiles(written).join(', ')}`);
    this.log(`next: cd ${args.dir} && sloth-runner workflow run ${workflow} -f workflow.sloth -v values.yaml`);
  }
}
