import type { LogLevel, ModuleSpec } from '@sloth/core';
import type { Store } from '@sloth/store-sqlite';
import { HookRunner } from './hook-runner.js';
import { hookServices } from './run-event-recorder.js';

/**
 * A hook runner over `store` whose hooks get `modules` (the modules the run or the process was given), as the CLI,
 * `events serve` and the master run hooks.
 */
export function storeHookRunner(
  store: Store,
  modules: ModuleSpec[],
  onLog: (hook: string, level: LogLevel, message: string) => void,
): HookRunner {
  return new HookRunner({ modules, services: hookServices(store), onLog });
}
