import { Args } from '@oclif/core';
import { SlothCommand } from '../../base-command.js';
import { passphraseFileFlag } from '../../secret-cli/flags.js';

export default class SecretDecryptValues extends SlothCommand {
  static override summary = 'Decrypt the values `secret encrypt-values` encrypted in a YAML values file, in place.';
  static override args = { file: Args.string({ description: 'The YAML values file.', required: true }) };
  static override flags = { 'passphrase-file': passphraseFileFlag };
  static override examples = ['<%= config.bin %> secret decrypt-values values/prod.yaml'];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(SecretDecryptValues);
    const [{ rewriteValuesFile }, { decryptValuesText }] = await Promise.all([
      import('../../secret-cli/rewrite-values.js'),
      import('../../values-crypt.js'),
    ]);
    const count = await rewriteValuesFile(args.file, flags, decryptValuesText);
    this.log(count === 0 ? `${args.file}: nothing to decrypt` : `${args.file}: decrypted ${count} value(s)`);
  }
}
