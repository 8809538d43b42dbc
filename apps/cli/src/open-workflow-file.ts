import { loadWorkflowModules } from '@sloth/builtin-modules';
import type { RunObserver, RunServices } from '@sloth/core';
import { WorkflowFile } from '@sloth/lua';
import { parseDurationFlag } from './duration-flag.js';
import { openValueCipher } from './secret-cli/open.js';
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
  /** The data directory whose secret key decrypts encrypted values (`--data-dir`; default $SLOTH_HOME...). */
  dataDir?: string | undefined;
  'data-dir'?: string | undefined;
}

/** Loads a workflow file with the built-in and plugin modules, its values and params. */
export async function openWorkflowFile(
  options: OpenOptions,
): Promise<{ file: WorkflowFile; params: Record<string, unknown>; values: Record<string, unknown> }> {
  // The secret key is opened only for a values file with encrypted leaves.
  let key: ReturnType<typeof openValueCipher> | undefined;
  let values: Record<string, unknown>;
  try {
    values = await loadValues(options.values ?? [], options.set ?? [], () => {
      key ??= openValueCipher(options.dataDir ?? options['data-dir']);
      return key.cipher;
    });
  } finally {
    key?.close();
  }
  const params = loadParams(options.param ?? []);
  const loadTimeout = options['load-timeout'];
  const loadTimeoutMs =
    loadTimeout === undefined
      ? undefined
      : parseDurationFlag('--load-timeout', loadTimeout, 'give a duration like 10s or 1m') || undefined;
  const file = await WorkflowFile.load({
    file: options.file,
    modules: await loadWorkflowModules(),
    values,
    params,
    observer: options.observer,
    services: options.services,
    loadTimeoutMs,
    checkMode: options.checkMode,
  });
  return { file, params, values };
}
