import { Args } from '@oclif/core';
import { SlothCommand } from '../../base-command.js';
import { passphraseFileFlag } from '../../secret-cli/flags.js';

export default class SecretEncryptValues extends SlothCommand {
  static override summary = 'Encrypt every leaf value of a YAML values file in place; keys stay readable.';
  static override description =
    'Each string, number and boolean becomes ENC[AES256_GCM,...,type:...] under the secret key of the data directory, bound to its key path; keys, comments and values already encrypted stay as they are. `workflow run -v FILE` decrypts them (and masks them in the run).';
  static override args = { file: Args.string({ description: 'The YAML values file.', required: true }) };
  static override flags = { 'passphrase-file': passphraseFileFlag };
  static override examples = ['<%= config.bin %> secret encrypt-values values/prod.yaml'];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(SecretEncryptValues);
    const [{ rewriteValuesFile }, { encryptValuesText }] = await Promise.all([
      import('../../secret-cli/rewrite-values.js'),
      import('../../values-crypt.js'),
    ]);
    const count = await rewriteValuesFile(args.file, flags, encryptValuesText);
    this.log(count === 0 ? `${args.file}: nothing to encrypt` : `${args.file}: encrypted ${count} value(s)`);
  }
}
