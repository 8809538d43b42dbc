import { Args, Flags } from '@oclif/core';
import { SlothCommand } from '../../base-command.js';

export default class StackImport extends SlothCommand {
  static override summary = 'Create a stack from a `stack export` JSON document ("-" reads standard input).';
  static override args = {
    file: Args.string({ description: 'The exported JSON file, or - for standard input.', required: true }),
  };
  static override flags = {
    name: Flags.string({ description: 'Import under this name instead of the exported one.' }),
    force: Flags.boolean({ description: 'Replace a stack of the same name.', default: false }),
  };
  static override examples = [
    '<%= config.bin %> stack import production.json',
    '<%= config.bin %> stack export production | <%= config.bin %> stack import - --name staging',
  ];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(StackImport);
    const [{ readFile }, { withStacks }, { SlothError }, { readStdin }, { importStackJson }] = await Promise.all([
      import('node:fs/promises'),
      import('../../stack-cli/open.js'),
      import('@sloth/core'),
      import('../../read-stdin.js'),
      import('@sloth/store-sqlite'),
    ]);
    let text: string;
    try {
      text = args.file === '-' ? await readStdin() : await readFile(args.file, 'utf8');
    } catch (err) {
      throw new SlothError('not_found', `cannot read ${args.file}: ${(err as Error).message}`, {
        hint: 'pass the file written by `sloth-runner stack export NAME > FILE`',
      });
    }
    const stack = await withStacks(flags['data-dir'], (_repo, store) =>
      importStackJson(store, text, args.file, { as: flags.name, replace: flags.force }),
    );
    this.log(`imported stack '${stack.name}' (${stack.id})`);
  }
}
