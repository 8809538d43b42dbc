import { Args } from '@oclif/core';
import { SlothCommand } from '../../base-command.js';
import { nameArg, passphraseFileFlag } from '../../secret-cli/flags.js';

export default class SecretSet extends SlothCommand {
  static override summary = 'Store a secret, encrypted, in the data directory (read back in workflows with secret.get).';
  static override description =
    'Without VALUE the value is read from stdin (typed without echo on a terminal), so it stays out of the shell history.';
  static override args = {
    name: nameArg,
    value: Args.string({ description: 'The value; leave it out to read it from stdin.' }),
  };
  static override flags = { 'passphrase-file': passphraseFileFlag };
  static override examples = [
    '<%= config.bin %> secret set slack_webhook_url < webhook.txt',
    'printf %s "$TOKEN" | <%= config.bin %> secret set api_token',
    'SLOTH_SECRET_PASSPHRASE=... <%= config.bin %> secret set db_password',
  ];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(SecretSet);
    const [{ withSecrets }, { readSecretValue }, { checkSecretName }] = await Promise.all([
      import('../../secret-cli/open.js'),
      import('../../secret-cli/read-value.js'),
      import('@sloth/store-sqlite'),
    ]);
    checkSecretName(args.name, 'secret set');
    const value = args.value ?? (await readSecretValue(args.name));
    const where = await withSecrets(flags, (repo, store) => {
      repo.set(args.name, value);
      return store.dataDir;
    });
    this.log(`set secret ${args.name} in ${where}`);
  }
}
