import { SlothCommand } from '../../base-command.js';
import { outputFlag, stackNameArg } from '../../stack-cli/flags.js';

export default class StackDrift extends SlothCommand {
  static override summary = "Compare each resource's recorded properties with what its module reads back.";
  static override description =
    'Resources of modules that can read them back (fs: type "file") are in_sync, drifted (with the differing properties) or missing; the others are listed as not checkable. Exit code 0: no drift found, 1: a resource drifted or is missing.';
  static override args = { name: stackNameArg };
  static override flags = { output: outputFlag };
  static override examples = ['<%= config.bin %> stack drift production', '<%= config.bin %> stack drift production -o json'];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(StackDrift);
    const [{ withStacks }, { driftStatusText }, { detectDrift, driftedCount }, { loadModules }, f] = await Promise.all([
      import('../../stack-cli/open.js'),
      import('../../stack-cli/drift.js'),
      import('@sloth/store-sqlite'),
      import('@sloth/builtin-modules'),
      import('../../stack-cli/format.js'),
    ]);
    const resources = await withStacks(flags['data-dir'], (repo) => repo.resources(repo.getStack(args.name).id));
    const entries = await detectDrift(resources, await loadModules());
    const drifted = driftedCount(entries);
    if (flags.output === 'json') {
      this.log(JSON.stringify({ stack: args.name, drifted, resources: entries }, null, 2));
    } else if (entries.length === 0) {
      this.log(`stack '${args.name}' has no resources`);
    } else {
      const rows = entries.map((e) => [
        e.type,
        e.name,
        e.module ?? '',
        driftStatusText(e.status),
        e.reason ?? e.differences.map((d) => `${d.property}: ${f.inline(d.recorded)} -> ${f.inline(d.current)}`).join('; '),
      ]);
      this.log(f.table(['Type', 'Name', 'Module', 'Status', 'Details'], rows));
      this.log(drifted > 0 ? `${drifted} resource(s) drifted or missing` : 'no drift found');
    }
    if (drifted > 0) process.exitCode = 1;
  }
}
