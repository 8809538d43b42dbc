import { Args } from '@oclif/core';

export { tableOrJsonFlag as outputFlag } from '../output-flag.js';

/** The KEY argument of the state commands. */
export const keyArg = Args.string({ description: 'The state key.', required: true });
