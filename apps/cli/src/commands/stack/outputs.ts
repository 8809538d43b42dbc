import { SlothCommand } from '../../base-command.js';
import { outputFlag, stackNameArg } from '../../stack-cli/flags.js';

export default class StackOutputs extends SlothCommand {
  static override summary = "Print a stack's outputs (set by stack.set_output).";
  static override args = { name: stackNameArg };
  static override flags = { output: outputFlag };
  static override examples = ['<%= config.bin %> stack outputs production -o json'];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(StackOutputs);
    const [{ withStacks }, f] = await Promise.all([import('../../stack-cli/open.js'), import('../../stack-cli/format.js')]);
    const outputs = await withStacks(flags['data-dir'], (repo) => repo.outputs(repo.getStack(args.name).id));
    if (flags.output === 'json') this.log(JSON.stringify(outputs, null, 2));
    else if (Object.keys(outputs).length === 0) this.log(`stack '${args.name}' has no outputs`);
    else
      this.log(
        f.table(
          ['Output', 'Value'],
          Object.entries(outputs).map(([k, v]) => [k, f.inline(v)]),
        ),
      );
  }
}
