import { Args } from '@oclif/core';

export { tableOrJsonFlag as outputFlag } from '../output-flag.js';

/** The NAME argument of the scheduler commands. */
export const scheduleNameArg = Args.string({
  description: 'The schedule (its name, as `scheduler list` shows).',
  required: true,
});
