import { Flags } from '@oclif/core';
import { SlothCommand } from '../../base-command.js';

export default class ModulesList extends SlothCommand {
  static override summary = "List the built-in Lua modules, or one module's functions with examples.";
  static override flags = {
    module: Flags.string({ char: 'm', description: 'Show one module: its functions, arguments and examples.' }),
    format: Flags.string({ options: ['table', 'json'], default: 'table', description: 'table for people, json for machines.' }),
  };
  static override examples = [
    '<%= config.bin %> modules list',
    '<%= config.bin %> modules list --module exec',
    '<%= config.bin %> modules list --module fs --format json',
  ];

  async run(): Promise<void> {
    const { flags } = await this.parse(ModulesList);
    const [{ loadModules }, { moduleDoc, toolsLine }, core, { table }, { pc }] = await Promise.all([
      import('@sloth/builtin-modules'),
      import('../../module-docs.js'),
      import('@sloth/core'),
      import('../../render/table.js'),
      import('../../render/colors.js'),
    ]);
    const all = await loadModules();
    const modules = flags.module ? all.filter((m) => m.name === flags.module) : all;
    if (flags.module && modules.length === 0) {
      const names = all.map((m) => m.name);
      throw new core.SlothError('not_found', `no module named '${flags.module}'${core.didYouMean(flags.module, names)}`, {
        hint: `modules: ${names.join(', ')}`,
      });
    }
    if (flags.format === 'json') {
      const docs = modules.map(moduleDoc);
      this.log(JSON.stringify(flags.module ? docs[0] : docs, null, 2));
      return;
    }
    if (!flags.module) {
      const rows = modules.map((m) => {
        const tools = toolsLine(m);
        return [m.name, tools ? `${m.doc}\nCLI ${tools}` : m.doc, Object.keys(m.functions).join(', ')];
      });
      // A module's name is what users type: never cut (the other columns wrap); widths count the padding of 2.
      const nameWidth = Math.max(6, ...modules.map((m) => m.name.length)) + 2;
      this.log(table(['Module', 'Description', 'Functions'], rows, [nameWidth, 50, 50]));
      this.log(
        pc.dim(
          'Every module is a global in workflows (require("name") returns the same table). Details: modules list --module NAME',
        ),
      );
      return;
    }
    const doc = moduleDoc(modules[0] as (typeof modules)[number]);
    this.log(`${pc.bold(`# ${doc.name}`)} - ${doc.doc}\n`);
    const tools = toolsLine(modules[0] as (typeof modules)[number]);
    if (tools) this.log(`CLI ${tools}\n`);
    const rows = doc.functions.map((f) => [f.signature, f.returns, f.doc]);
    this.log(table(['Function', 'Returns', 'Description'], rows, [34, 30, 60]));
    this.log(`\n${pc.bold('# Examples')}\n`);
    for (const f of doc.functions) {
      for (const example of f.examples) this.log(`${pc.cyan(`${doc.name}.${f.name}`)}\n${example.replace(/^/gm, '  ')}\n`);
    }
  }
}
