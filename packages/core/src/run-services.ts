import type { Store } from './store/open-store.js';

/** The stack a run records into: its id and name, and this run's execution id. */
export interface StackBinding {
  id: string;
  name: string;
  executionId: string;
}

/** What the run environment offers modules beyond the task itself (persistent state, the run's stack). */
export interface RunServices {
  store?: Store | undefined;
  stack?: StackBinding | undefined;
}
