import { Args, Flags } from '@oclif/core';
import { SlothCommand } from '../../base-command.js';
import { outputFlag } from '../../stack-cli/flags.js';

export default class StackNew extends SlothCommand {
  static override summary = 'Create an empty stack (a run also creates its stack on first use).';
  static override args = { name: Args.string({ description: 'Name of the new stack.', required: true }) };
  static override flags = { description: Flags.string({ char: 'd', description: 'What the stack is for.' }), output: outputFlag };
  static override examples = ['<%= config.bin %> stack new production --description "Production infrastructure"'];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(StackNew);
    const { withStacks } = await import('../../stack-cli/open.js');
    const stack = await withStacks(flags['data-dir'], (repo) => repo.createStack(args.name, flags.description));
    if (flags.output === 'json')
      this.log(JSON.stringify({ id: stack.id, name: stack.name, description: stack.description ?? null }));
    else this.log(`created stack '${stack.name}' (${stack.id})`);
  }
}
