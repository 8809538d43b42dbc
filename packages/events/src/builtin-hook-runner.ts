import { builtinModules } from '@sloth/builtin-modules';
import type { LogLevel } from '@sloth/core';
import type { Store } from '@sloth/store-sqlite';
import { HookRunner } from './hook-runner.js';
import { hookServices } from './run-event-recorder.js';

/** A hook runner with every built-in module over `store` (what the CLI, `events serve` and the master run hooks with). */
export function builtinHookRunner(store: Store, onLog: (hook: string, level: LogLevel, message: string) => void): HookRunner {
  return new HookRunner({ modules: builtinModules, services: hookServices(store), onLog });
}
