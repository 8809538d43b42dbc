import { builtinModules } from '@sloth/builtin-modules';
import type { RunObserver, RunServices } from '@sloth/core';
import { WorkflowFile } from '@sloth/lua';
import { parseDurationFlag } from './duration-flag.js';
import { loadParams, loadValues } from './values-loader.js';

export interface OpenOptions {
  file: string;
  values?: string[] | undefined;
  set?: string[] | undefined;
  param?: string[] | undefined;
  observer?: RunObserver | undefined;
  services?: RunServices | undefined;
  /** `--load-timeout`: a duration ("10s"); 10 s when absent. */
  'load-timeout'?: string | undefined;
  /** `--check`: the file is loaded, and its runs made, in check mode. */
  checkMode?: boolean | undefined;
}

/** Loads a workflow file with the built-in modules, its values and params. */
export async function openWorkflowFile(
  options: OpenOptions,
): Promise<{ file: WorkflowFile; params: Record<string, unknown>; values: Record<string, unknown> }> {
  const values = await loadValues(options.values ?? [], options.set ?? []);
  const params = loadParams(options.param ?? []);
  const loadTimeout = options['load-timeout'];
  const loadTimeoutMs =
    loadTimeout === undefined
      ? undefined
      : parseDurationFlag('--load-timeout', loadTimeout, 'give a duration like 10s or 1m') || undefined;
  const file = await WorkflowFile.load({
    file: options.file,
    modules: builtinModules,
    values,
    params,
    observer: options.observer,
    services: options.services,
    loadTimeoutMs,
    checkMode: options.checkMode,
  });
  return { file, params, values };
}
