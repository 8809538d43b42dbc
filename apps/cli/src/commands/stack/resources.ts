import { SlothCommand } from '../../base-command.js';
import { outputFlag, stackNameArg } from '../../stack-cli/flags.js';

export default class StackResources extends SlothCommand {
  static override summary = "List a stack's resources; orphans are those its last run did not register.";
  static override args = { name: stackNameArg };
  static override flags = { output: outputFlag };
  static override examples = [
    '<%= config.bin %> stack resources production',
    '<%= config.bin %> stack resources production -o json',
  ];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(StackResources);
    const [{ withStacks }, f] = await Promise.all([import('../../stack-cli/open.js'), import('../../stack-cli/format.js')]);
    await withStacks(flags['data-dir'], (repo) => {
      const stack = repo.getStack(args.name);
      const resources = repo.resources(stack.id);
      const orphans = f.orphanIds(resources, repo.executions(stack.id, 1)[0]);
      if (flags.output === 'json') {
        this.log(
          JSON.stringify(
            resources.map((r) => f.resourceJson(r, orphans.has(r.id))),
            null,
            2,
          ),
        );
        return;
      }
      if (resources.length === 0) {
        this.log(`stack '${stack.name}' has no resources`);
        return;
      }
      const rows = resources.map((r) => [
        r.type,
        r.name,
        r.module ?? '',
        f.inline(r.properties),
        f.inline(r.attributes),
        f.iso(r.updatedAt),
        orphans.has(r.id) ? 'orphan' : '',
      ]);
      this.log(f.table(['Type', 'Name', 'Module', 'Properties', 'Attributes', 'Updated', ''], rows));
    });
  }
}
