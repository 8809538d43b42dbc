import { Flags } from '@oclif/core';

/** The flags every command that reads a workflow file shares. */
export const fileFlag = Flags.string({ char: 'f', description: 'The .sloth workflow file.', required: true });

export const inputFlags = {
  values: Flags.string({
    char: 'v',
    description: 'A values.yaml file (repeatable; later files override earlier ones).',
    multiple: true,
  }),
  set: Flags.string({ description: 'Override one value: --set a.b=c (repeatable).', multiple: true }),
  param: Flags.string({
    description: 'A run parameter: --param key=value (repeatable); tasks read it as params.key.',
    multiple: true,
  }),
  'load-timeout': Flags.string({
    description: "How long the file's top-level code may run while it loads (a loop there never ends otherwise).",
    default: '10s',
  }),
};
