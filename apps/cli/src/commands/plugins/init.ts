import { Args, Flags } from '@oclif/core';
import { SlothCommand } from '../../base-command.js';

export default class PluginsInit extends SlothCommand {
  static override summary = 'Write the skeleton of a plugin: a Lua module and a command, in TypeScript, ready to build and link.';
  static override description =
    'NAME is the npm package name (e.g. sloth-plugin-greet); its Lua module is named after it, without the sloth-plugin- prefix. Files that exist already are not overwritten unless --force.';
  static override args = { name: Args.string({ description: 'The package name of the plugin.', required: true }) };
  static override flags = {
    dir: Flags.string({ description: 'The directory to write it into (default: the package name, without its scope).' }),
    force: Flags.boolean({ description: 'Overwrite files that exist.', default: false }),
  };
  static override examples = [
    '<%= config.bin %> plugins init sloth-plugin-greet',
    '<%= config.bin %> plugins init @acme/sloth-plugin-deploy --dir deploy-plugin',
  ];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(PluginsInit);
    const [{ SlothError }, { moduleNameFor, pluginFiles }, { writeProject }] = await Promise.all([
      import('@sloth/core'),
      import('../../plugin-init/plugin-template.js'),
      import('../../workflow-init/write-project.js'),
    ]);
    if (!/^(@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/.test(args.name) || args.name.length > 214) {
      throw new SlothError('usage', `invalid package name '${args.name}'`, {
        hint: 'an npm package name: lowercase letters, digits, "-", "." and "_", optionally @scope/name',
      });
    }
    const module = moduleNameFor(args.name);
    const dir = flags.dir ?? (args.name.split('/').pop() as string);
    // The plugin's @oclif/core: the range this CLI depends on.
    const oclif = (this.config.pjson.dependencies?.['@oclif/core'] ?? '^4').replace(/^[\^~]/, '');
    const written = writeProject(dir, pluginFiles({ pkg: args.name, module }, this.config.version, oclif), flags.force);
    this.log(`created plugin ${args.name} (Lua module '${module}') in ${dir}: ${written.join(', ')}`);
    this.log(`next: cd ${dir} && npm install && npm run build && sloth-runner plugins link .`);
  }
}
