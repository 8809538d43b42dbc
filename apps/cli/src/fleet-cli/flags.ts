import { Args, Flags } from '@oclif/core';

export { tableOrJsonFlag as outputFlag } from '../output-flag.js';

/** The NAME argument of the agent commands. */
export const agentNameArg = Args.string({ description: 'The agent.', required: true });

/** How to reach a master: on every command that talks to one. */
export const masterFlags = {
  master: Flags.string({
    description:
      'The master: a name saved with `master add`, or HOST:PORT / http(s)://HOST:PORT. Default: $SLOTH_MASTER, else the default saved master, else 127.0.0.1:50053.',
  }),
  token: Flags.string({ description: "The master's token (prefer --token-file or $SLOTH_TOKEN: a flag shows in `ps`)." }),
  'token-file': Flags.string({ description: "A file holding the master's token." }),
  ca: Flags.string({ description: 'CA certificate (PEM) of a master serving TLS; implies https.' }),
};
