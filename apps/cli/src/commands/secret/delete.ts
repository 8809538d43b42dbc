import { Args } from '@oclif/core';
import { SlothCommand } from '../../base-command.js';

export default class SecretDelete extends SlothCommand {
  static override summary = 'Delete secrets (no passphrase or key needed).';
  static override strict = false;
  static override args = { name: Args.string({ description: 'The secrets to delete.', required: true }) };
  static override examples = ['<%= config.bin %> secret delete slack_webhook_url', '<%= config.bin %> secret delete a b'];

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(SecretDelete);
    const [{ withSecrets }, { SlothError }] = await Promise.all([import('../../secret-cli/open.js'), import('@sloth/core')]);
    const names = argv as string[];
    const { deleted, dir } = await withSecrets(flags, (repo, store) => ({
      deleted: names.filter((n) => repo.delete(n)),
      dir: store.dataDir,
    }));
    for (const n of deleted) this.log(`deleted secret ${n}`);
    const missing = names.filter((n) => !deleted.includes(n));
    if (missing.length > 0)
      throw new SlothError('not_found', `no secret ${missing.map((n) => `'${n}'`).join(', ')} in ${dir}`, {
        hint: '`sloth-runner secret list` shows the names',
      });
  }
}
