import { SlothCommand } from '../../base-command.js';
import { nameArg, passphraseFileFlag } from '../../secret-cli/flags.js';

export default class SecretGet extends SlothCommand {
  static override summary = 'Print the value of a secret (to stdout, as it is).';
  static override args = { name: nameArg };
  static override flags = { 'passphrase-file': passphraseFileFlag };
  static override examples = ['<%= config.bin %> secret get slack_webhook_url'];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(SecretGet);
    const { withSecrets } = await import('../../secret-cli/open.js');
    const value = await withSecrets(flags, (repo) => {
      const found = repo.get(args.name);
      if (found === undefined) throw repo.missing(args.name, 'secret get');
      return found;
    });
    this.log(value);
  }
}
