import { SlothCommand } from '../../base-command.js';
import { outputFlag } from '../../fleet-cli/flags.js';

export default class MasterList extends SlothCommand {
  static override summary = 'List the saved masters (* marks the default).';
  static override flags = { output: outputFlag };
  static override examples = ['<%= config.bin %> master list'];

  async run(): Promise<void> {
    const { flags } = await this.parse(MasterList);
    const [{ readMasters, mastersPath }, { table }, { defaultDataDir }] = await Promise.all([
      import('../../fleet-cli/masters-file.js'),
      import('../../state-cli/format.js'),
      import('@sloth/store-sqlite'),
    ]);
    const dir = flags['data-dir'] ?? defaultDataDir();
    const file = readMasters(dir);
    if (flags.output === 'json') {
      this.log(
        JSON.stringify(
          file.masters.map((m) => ({ ...m, default: m.name === file.default })),
          null,
          2,
        ),
      );
      return;
    }
    if (file.masters.length === 0) {
      this.log(`no saved masters in ${mastersPath(dir)} (add one with \`sloth-runner master add NAME HOST:PORT\`)`);
      return;
    }
    const rows = file.masters.map((m) => [
      m.name === file.default ? `* ${m.name}` : `  ${m.name}`,
      m.address,
      m.description ?? '',
    ]);
    this.log(table(['Name', 'Address', 'Description'], rows));
  }
}
