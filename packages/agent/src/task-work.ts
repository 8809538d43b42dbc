import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, normalize } from 'node:path';
import { loadModules } from '@sloth/builtin-modules';
import {
  errorCodeOf,
  errorMessage,
  makeDirectory,
  maskDeep,
  maskSecrets,
  type ResourceOutcome,
  type RunServices,
  SlothError,
  type SlothErrorCode,
} from '@sloth/core/internal';
import { DEFAULT_LOAD_TIMEOUT_MS, PreparedSandbox, WorkflowFile } from '@sloth/lua';
import { type RunTask, WorkOutput_Stream } from '@sloth/proto';
import { z } from 'zod';
import type { WorkOutputInit, WorkResultInit } from './command-work.js';
import { GivenSecrets } from './given-secrets.js';
import type { LoadedRun, LoadedRuns } from './loaded-runs.js';
import { missingPluginModules } from './missing-plugin-modules.js';
import type { SandboxReserve } from './sandbox-reserve.js';

const jsonObject = z.record(z.string(), z.unknown());

/**
 * Runs one delegated task: the files it came with are written into a temp directory and loaded with the built-in
 * and plugin modules (once per run: see LoadedRuns; into the sandbox `reserve` holds ready, if it does), and only that task's body
 * runs; its log lines travel up as they come, its outputs with the result.
 */
export async function runTaskWork(
  req: RunTask,
  agent: string,
  services: RunServices,
  runs: LoadedRuns,
  signal: AbortSignal,
  onOutput: (o: WorkOutputInit) => void,
  reserve?: SandboxReserve<PreparedSandbox>,
): Promise<WorkResultInit> {
  reserve?.supply(async () => PreparedSandbox.make(await loadModules()));
  const started = performance.now();
  const failed = (error: string, errorCode: SlothErrorCode): WorkResultInit => ({
    workId: req.workId,
    success: false,
    error: maskSecrets(error),
    errorCode,
    durationMs: Math.round(performance.now() - started),
  });
  const key = runKey(req);
  let acquired = false;
  let releaseSecrets = () => {};
  try {
    const params = parseObject(req.paramsJson, 'params');
    const values = parseObject(req.valuesJson, 'values');
    const deps = parseObject(req.depsJson, 'deps') as Record<string, Record<string, unknown> | undefined>;
    // What the task logs leaves the agent here: the secrets it was sent are masked in it.
    const log = (level: string, text: string) =>
      onOutput({ workId: req.workId, stream: WorkOutput_Stream.LOG, level, text: maskSecrets(text) });
    const run = await runs.acquire(key, async () => {
      // The file's top level runs while it loads, and may read secrets too.
      const secrets = new GivenSecrets();
      const release = secrets.hold(req.secrets);
      try {
        return await loadRun(req, agent, params, values, { ...services, secrets }, secrets, log, await reserve?.take(), signal);
      } finally {
        release();
      }
    });
    acquired = true;
    releaseSecrets = run.secrets.hold(req.secrets);
    run.log.current = log;
    const resources: ResourceOutcome[] = [];
    const result = await run.file.runDelegatedTask({
      onResource: (outcome) => void resources.push(outcome),
      task: req.task,
      runId: req.runId,
      params,
      deps,
      agent,
      timeoutMs: req.timeoutMs > 0 ? req.timeoutMs : undefined,
      lateTask: req.lateTaskJson || undefined,
      signal,
      baseDir: process.cwd(),
      observer: (e) => {
        if (e.type === 'task.log') log(e.level, e.message);
      },
    });
    // The result goes to the master, which stores it: masked like the log lines.
    const resourcesJson = resources.length > 0 ? JSON.stringify(maskDeep(resources)) : '';
    if (result.status !== 'success') {
      return {
        ...failed(result.error ?? result.status, result.errorCode ?? 'task_failed'),
        outputJson: json(result.output),
        resourcesJson,
      };
    }
    return {
      workId: req.workId,
      success: true,
      error: '',
      outputJson: json(result.output),
      resourcesJson,
      durationMs: Math.round(performance.now() - started),
    };
  } catch (err) {
    const where = err instanceof SlothError && err.location ? ` (${err.location})` : '';
    return failed(`${errorMessage(err)}${where}`, errorCodeOf(err));
  } finally {
    releaseSecrets();
    if (acquired) runs.release(key);
  }
}

/** Writes the task's files into a temp directory and loads the workflow file from it (both freed again if that fails). */
async function loadRun(
  req: RunTask,
  agent: string,
  params: Record<string, unknown>,
  values: Record<string, unknown>,
  services: RunServices,
  secrets: GivenSecrets,
  firstLog: (level: string, text: string) => void,
  sandbox: PreparedSandbox | undefined,
  signal?: AbortSignal,
): Promise<LoadedRun> {
  let dir: string | undefined;
  try {
    const available = await loadModules();
    const missing = missingPluginModules(req.pluginModules, available, agent);
    const modules = missing.length === 0 ? available : [...available, ...missing];
    // The sandbox made ahead has the agent's modules only.
    if (missing.length > 0 && sandbox) {
      sandbox.close();
      sandbox = undefined;
    }
    dir = await mkdtemp(join(tmpdir(), 'sloth-task-'));
    for (const [rel, content] of [...Object.entries(req.files), ...Object.entries(req.dataFiles)]) {
      const target = insideDir(dir, rel);
      await makeDirectory(dirname(target));
      await writeFile(target, content);
    }
    const log = { current: firstLog };
    const file = await WorkflowFile.load({
      file: insideDir(dir, req.entryFile),
      modules,
      params,
      values,
      displayRoot: dir,
      services,
      sandbox,
      observer: (e) => {
        if (e.type === 'task.log') log.current(e.level, e.message);
      },
      // The task's timeout and cancellation cover loading its file (a top-level loop must not outlive them).
      signal,
      loadTimeoutMs: req.timeoutMs > 0 ? Math.min(req.timeoutMs, DEFAULT_LOAD_TIMEOUT_MS) : undefined,
      checkMode: req.checkMode,
    });
    return { file, dir, log, secrets };
  } catch (err) {
    sandbox?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/** One loaded file per run and per copy of what it was loaded from. */
function runKey(req: RunTask): string {
  const hash = createHash('sha256').update(
    JSON.stringify([req.runId, req.stack, req.entryFile, req.files, req.paramsJson, req.valuesJson, req.checkMode]),
  );
  for (const name of Object.keys(req.dataFiles).sort()) hash.update(name).update(req.dataFiles[name] as Uint8Array);
  return hash.digest('hex');
}

function parseObject(text: string, what: string): Record<string, unknown> {
  if (text === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new SlothError('invalid_argument', `the task's ${what} are not valid JSON: ${errorMessage(err)}`);
  }
  const parsed = jsonObject.safeParse(value);
  if (!parsed.success) throw new SlothError('invalid_argument', `the task's ${what} must be a JSON object`);
  return parsed.data;
}

/** A path the master sent, inside `dir`; anything that would land outside it is refused. */
function insideDir(dir: string, rel: string): string {
  const clean = normalize(rel);
  if (rel === '' || isAbsolute(rel) || clean === '..' || clean.startsWith('../')) {
    throw new SlothError('invalid_argument', `refused the file path '${rel}': files of a task stay inside its directory`);
  }
  return join(dir, clean);
}

function json(output: Record<string, unknown> | undefined): string {
  return JSON.stringify(maskDeep(output ?? {}));
}
