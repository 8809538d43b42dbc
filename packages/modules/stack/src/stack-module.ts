import { defineModule } from '@sloth/core';

/** The `stack` module: the resources, outputs and executions of the run's stack. */
export const stackModule = defineModule({
  name: 'stack',
  doc: 'Record the resources a workflow manages in its stack (created / changed / unchanged), and the stack outputs.',
  functions: {},
});
