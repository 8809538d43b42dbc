import { Args } from '@oclif/core';

export { tableOrJsonFlag as outputFlag } from '../output-flag.js';

/** The NAME argument of the hook commands. */
export const hookNameArg = Args.string({ description: 'The hook (its name, as `hook list` shows).', required: true });
