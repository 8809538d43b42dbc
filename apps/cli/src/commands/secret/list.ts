import { SlothCommand } from '../../base-command.js';
import { outputFlag } from '../../secret-cli/flags.js';

export default class SecretList extends SlothCommand {
  static override summary = 'List the secrets: names and dates, never values.';
  static override flags = { output: outputFlag };
  static override examples = ['<%= config.bin %> secret list', '<%= config.bin %> secret list --output json'];

  async run(): Promise<void> {
    const { flags } = await this.parse(SecretList);
    const [{ withSecrets }, { table }] = await Promise.all([import('../../secret-cli/open.js'), import('../../render/table.js')]);
    // Listing needs no key: names and dates are not encrypted.
    const { entries, dir } = await withSecrets(flags, (repo, store) => ({ entries: repo.list(), dir: store.dataDir }));
    const iso = (ms: number) => new Date(ms).toISOString();
    if (flags.output === 'json') {
      this.log(
        JSON.stringify(
          entries.map((e) => ({ name: e.name, created_at: iso(e.createdAt), updated_at: iso(e.updatedAt) })),
          null,
          2,
        ),
      );
      return;
    }
    if (entries.length === 0) {
      this.log(`no secrets in ${dir} (set one with \`sloth-runner secret set NAME\`)`);
      return;
    }
    this.log(
      table(
        ['Name', 'Created', 'Updated'],
        entries.map((e) => [e.name, iso(e.createdAt), iso(e.updatedAt)]),
      ),
    );
  }
}
