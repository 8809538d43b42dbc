import { Args } from '@oclif/core';

export { tableOrJsonFlag as outputFlag } from '../output-flag.js';

/** The NAME argument of the stack commands. */
export const stackNameArg = Args.string({ description: 'The stack.', required: true });
