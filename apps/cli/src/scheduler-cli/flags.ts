import { Args, Flags } from '@oclif/core';
import { masterFlags } from '../fleet-cli/flags.js';

export { tableOrJsonFlag as outputFlag } from '../output-flag.js';

/** The NAME argument of the scheduler commands. */
export const scheduleNameArg = Args.string({
  description: 'The schedule (its name, as `scheduler list` shows).',
  required: true,
});

/** --master and its credentials: with --master the command works on that master's schedules, else on the data directory's. */
export const onMasterFlags = {
  ...masterFlags,
  master: Flags.string({
    description:
      "Work on the schedules of this master (a name saved with `master add`, or HOST:PORT / http(s)://HOST:PORT), which `master start` fires, instead of the local data directory's. Workflow files are paths on the master's machine.",
  }),
};
