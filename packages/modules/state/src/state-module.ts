import { defineModule } from '@sloth/core';

/** The `state` module: persistent key-value state shared by workflows and processes. */
export const stateModule = defineModule({
  name: 'state',
  doc: 'Persistent key-value state in the data directory: any Lua value, TTLs, atomic counters, compare-and-swap, locks.',
  functions: {},
});
