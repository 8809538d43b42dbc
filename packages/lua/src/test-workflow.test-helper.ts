import { join } from 'node:path';
import { builtinModules } from '@sloth/builtin-modules';
import type { RunEvent, RunOptions, RunResult } from '@sloth/core';
import { writeFiles } from '@sloth/core/testing';
import { WorkflowFile } from './workflow-file.js';

/** Loads `source` as a workflow file with the real built-in modules. */
export async function loadSource(
  source: string,
  extra: Record<string, string> = {},
  options: { values?: Record<string, unknown>; params?: Record<string, unknown> } = {},
): Promise<{ file: WorkflowFile; events: RunEvent[]; dir: string }> {
  const dir = writeFiles({ 'test.sloth': source, ...extra });
  const events: RunEvent[] = [];
  const file = await WorkflowFile.load({
    file: join(dir, 'test.sloth'),
    modules: builtinModules,
    observer: (e) => events.push(e),
    ...options,
  });
  return { file, events, dir };
}

/** Loads and runs the file's (only or named) workflow, collecting events. */
export async function runSource(
  source: string,
  options: {
    name?: string;
    extra?: Record<string, string>;
    run?: RunOptions;
    params?: Record<string, unknown>;
    values?: Record<string, unknown>;
  } = {},
): Promise<{ result: RunResult; events: RunEvent[]; logs: string[]; dir: string }> {
  const { file, events, dir } = await loadSource(source, options.extra, { params: options.params, values: options.values });
  try {
    const result = await file.run(file.findWorkflow(options.name), {
      ...options.run,
      params: options.params,
      baseDir: dir,
      observer: (e) => events.push(e),
    });
    const logs = events.filter((e) => e.type === 'task.log').map((e) => `${e.task}: ${e.message}`);
    return { result, events, logs, dir };
  } finally {
    file.close();
  }
}

/** The load error a source produces (fails the test if it loads). */
export async function loadError(source: string, extra: Record<string, string> = {}): Promise<Error & { code?: string }> {
  try {
    const { file } = await loadSource(source, extra);
    file.close();
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected the file to fail to load');
}
