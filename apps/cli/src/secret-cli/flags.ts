import { Args, Flags } from '@oclif/core';

export { tableOrJsonFlag as outputFlag } from '../output-flag.js';

/** The NAME argument of the secret commands. */
export const nameArg = Args.string({
  description: 'The secret name (a letter or _, then letters, digits, _ . -).',
  required: true,
});

/** `--passphrase-file F`: the passphrase of the secrets (else SLOTH_SECRET_PASSPHRASE, else the key file). */
export const passphraseFileFlag = Flags.string({
  description:
    'A file holding the passphrase of the secrets on its first line (default: $SLOTH_SECRET_PASSPHRASE, else $SLOTH_SECRET_PASSPHRASE_FILE; without one, the key file next to the database).',
});
