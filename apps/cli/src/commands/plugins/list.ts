import { Flags } from '@oclif/core';
import { SlothCommand } from '../../base-command.js';

export default class PluginsList extends SlothCommand {
  static override summary = 'List the installed and linked plugins, with the Lua modules each adds.';
  static override description =
    "A plugin that cannot be loaded is listed with the reason, so that it can be fixed or uninstalled. `sloth-runner plugins` (oclif's own list) shows the same plugins without their modules.";
  static override flags = {
    format: Flags.string({ options: ['table', 'json'], default: 'table', description: 'table for people, json for machines.' }),
  };
  static override examples = ['<%= config.bin %> plugins list', '<%= config.bin %> plugins list --format json'];

  async run(): Promise<void> {
    const { flags } = await this.parse(PluginsList);
    const [{ builtinModules, installedPlugins, withPluginModules }, { errorMessage }, { readFileSync }, { join }, { table }] =
      await Promise.all([
        import('@sloth/builtin-modules'),
        import('@sloth/core'),
        import('node:fs'),
        import('node:path'),
        import('../../render/table.js'),
      ]);
    const plugins = installedPlugins(this.config.dataDir);
    const rows = await Promise.all(
      plugins.map(async (p) => {
        let version = '';
        try {
          version = (JSON.parse(readFileSync(join(p.root, 'package.json'), 'utf8')) as { version?: string }).version ?? '';
        } catch {
          // said by withPluginModules below
        }
        try {
          // Checked against the built-in modules as a run would.
          const modules = (await withPluginModules(builtinModules, [p])).flatMap((m) => (m.plugin ? [m.name] : []));
          return { name: p.name, version, type: p.type, root: p.root, modules, error: undefined };
        } catch (err) {
          return { name: p.name, version, type: p.type, root: p.root, modules: [], error: errorMessage(err) };
        }
      }),
    );
    if (flags.format === 'json') {
      this.log(JSON.stringify(rows, null, 2));
      return;
    }
    if (rows.length === 0) {
      this.log('no plugins installed (sloth-runner plugins install NAME, or plugins link DIR)');
      return;
    }
    const cells = rows.map((r) => [
      `${r.name}${r.version ? ` ${r.version}` : ''}`,
      r.type === 'link' ? `link ${r.root}` : r.type,
      r.error ? `error: ${r.error}` : r.modules.join(', ') || '(none)',
    ]);
    this.log(table(['Plugin', 'Installed', 'Lua modules'], cells, [34, 40, 50]));
  }
}
