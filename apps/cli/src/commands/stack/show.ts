import { SlothCommand } from '../../base-command.js';
import { outputFlag, stackNameArg } from '../../stack-cli/flags.js';

export default class StackShow extends SlothCommand {
  static override summary = 'Show a stack: its resources, outputs, last run and lock.';
  static override args = { name: stackNameArg };
  static override flags = { output: outputFlag };
  static override examples = ['<%= config.bin %> stack show production'];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(StackShow);
    const [{ withStacks }, f, lock] = await Promise.all([
      import('../../stack-cli/open.js'),
      import('../../stack-cli/format.js'),
      import('../../stack-cli/lock-view.js'),
    ]);
    await withStacks(flags['data-dir'], (repo, store) => {
      const stack = repo.getStack(args.name);
      const resources = repo.resources(stack.id);
      const outputs = repo.outputs(stack.id);
      const last = repo.executions(stack.id, 1)[0];
      const orphans = f.orphanIds(resources, last);
      if (flags.output === 'json') {
        const doc = {
          name: stack.name,
          id: stack.id,
          description: stack.description ?? null,
          created_at: f.iso(stack.createdAt),
          updated_at: f.iso(stack.updatedAt),
          resources: resources.map((r) => f.resourceJson(r, orphans.has(r.id))),
          outputs,
          last_execution: last ? f.executionJson(last) : null,
          lock: lock.lockJson(store, stack.name),
        };
        this.log(JSON.stringify(doc, null, 2));
        return;
      }
      this.log(`stack ${stack.name} (${stack.id})${stack.description ? `: ${stack.description}` : ''}`);
      this.log(`created ${f.iso(stack.createdAt)}, updated ${f.iso(stack.updatedAt)}`);
      this.log(
        last
          ? `last run: ${last.workflow} ${f.statusText(last.status)} at ${f.iso(last.startedAt)} (${f.changeText(last)})`
          : 'never run',
      );
      this.log(lock.lockText(store, stack.name));
      this.log(`\nresources (${resources.length}):`);
      if (resources.length > 0) {
        const rows = resources.map((r) => [
          r.type,
          r.name,
          r.module ?? '',
          inlineState(r.attributes),
          orphans.has(r.id) ? 'orphan' : '',
        ]);
        this.log(f.table(['Type', 'Name', 'Module', 'Attributes', ''], rows));
      }
      this.log(`\noutputs (${Object.keys(outputs).length}):`);
      for (const [k, v] of Object.entries(outputs)) this.log(`  ${k} = ${f.inline(v)}`);
    });
  }
}

function inlineState(attributes: Record<string, unknown>): string {
  return Object.entries(attributes)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
}
