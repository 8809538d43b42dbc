import { Flags } from '@oclif/core';
import { SlothCommand } from '../../base-command.js';

export default class ModulesStubs extends SlothCommand {
  static override summary = 'Write Lua type stubs for editors (lua-language-server) and a .luarc.json that uses them.';
  static override description =
    'One annotation file per module (its functions, parameters typed from their schemas, docs and examples) and sloth.lua for the workflow language (task and workflow builders, this, values, params). .luarc.json in the current directory gets the stubs directory in workspace.library and runtime.version "Lua 5.4"; its other settings are kept.';
  static override flags = {
    out: Flags.string({ description: 'The directory to write the stubs to.', default: '.sloth/types' }),
    luarc: Flags.boolean({
      description: 'Create or update ./.luarc.json (--no-luarc: leave it alone).',
      default: true,
      allowNo: true,
    }),
  };
  static override examples = ['<%= config.bin %> modules stubs', '<%= config.bin %> modules stubs --out types --no-luarc'];

  async run(): Promise<void> {
    const { flags } = await this.parse(ModulesStubs);
    const [{ writeEditorStubs }, { loadModules }] = await Promise.all([
      import('../../lua-stubs-files.js'),
      import('@sloth/builtin-modules'),
    ]);
    const written = writeEditorStubs(flags.out, flags.luarc ? '.luarc.json' : undefined, await loadModules());
    this.log(`wrote ${written.stubs.length} stub files to ${flags.out}${written.luarc ? ` and ${written.luarc}` : ''}`);
    this.log('editors with lua-language-server now complete and check workflows (associate *.sloth with Lua: see the README)');
  }
}
