import { Flags } from '@oclif/core';
import { SlothCommand } from '../../base-command.js';
import { passphraseFileFlag } from '../../secret-cli/flags.js';

export default class SecretRotateKey extends SlothCommand {
  static override summary = 'Re-encrypt every secret under a new key: a new passphrase, or a new random key file.';
  static override description =
    'The current key opens them (--passphrase-file or $SLOTH_SECRET_PASSPHRASE, else the key file). With --new-passphrase-file the new key is derived from that passphrase and the key file is removed; without it, a new random key is written to the key file (0600). All secrets are re-encrypted in one transaction: all or none.';
  static override flags = {
    'passphrase-file': passphraseFileFlag,
    'new-passphrase-file': Flags.string({
      description: 'A file holding the new passphrase on its first line; leave it out for a new random key file.',
    }),
  };
  static override examples = [
    '<%= config.bin %> secret rotate-key',
    '<%= config.bin %> secret rotate-key --new-passphrase-file ~/.sloth-pass',
    '<%= config.bin %> secret rotate-key --passphrase-file ~/.sloth-pass',
  ];

  async run(): Promise<void> {
    const { flags } = await this.parse(SecretRotateKey);
    const [{ withSecrets }, { passphraseFromFile, secretKeyFile }] = await Promise.all([
      import('../../secret-cli/open.js'),
      import('@sloth/store-sqlite'),
    ]);
    const next = flags['new-passphrase-file'] ? passphraseFromFile(flags['new-passphrase-file']) : {};
    const { count, dir } = await withSecrets(flags, (repo, store) => ({ count: repo.rotate(next), dir: store.dataDir }));
    const key = next.passphrase !== undefined ? `the passphrase in ${next.from}` : `a new key in ${secretKeyFile(dir)}`;
    this.log(`re-encrypted ${count} secret(s) in ${dir} under ${key}`);
  }
}
