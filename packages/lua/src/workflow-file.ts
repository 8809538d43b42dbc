import { basename, dirname, extname } from 'node:path';
import {
  type ActiveRun,
  createModuleContext,
  didYouMean,
  errorMessage,
  executeTask,
  formatDuration,
  type ModuleCallContext,
  type ModuleSpec,
  NO_RETRY,
  type Outputs,
  type ResourceOutcome,
  type RunObserver,
  type RunOptions,
  type RunResult,
  type RunServices,
  runWorkflow,
  SlothError,
  type TaskResult,
  type TaskRunEnv,
  type TaskSpec,
  type WorkflowSpec,
  z,
} from '@sloth/core/internal';
import { GoroutineThreads } from './goroutine-host.js';
import { callPlainFunction } from './lua-caller.js';
import { type LuaRuntime, LuaStopped, luaErrorText } from './lua-runtime.js';
import { displayPath, PreparedSandbox, type RunTaskNowResult, readLuaSource } from './lua-sandbox.js';
import type { LuaExport, LuaTaskSpec, LuaWorkflowSpec } from './lua-specs.js';
import { asList, fromLua } from './lua-values.js';
import { loadNamedLazyModules } from './named-lazy-modules.js';
import { toTaskSpec, toWorkflowSpec } from './task-bridge.js';
import { checkWorkflowSource, knownNames } from './workflow-static-check.js';

/** One delegated task, as an agent runs it. */
export interface DelegatedTaskRequest {
  task: string;
  runId: string;
  params: Record<string, unknown>;
  deps: Record<string, Outputs | undefined>;
  agent: string;
  timeoutMs: number | undefined;
  signal: AbortSignal;
  observer: RunObserver;
  /** Working directory of a task that sets none. */
  baseDir: string;
  /** A task created at run time: what lateTaskPayload() made of it on the engine that delegated it. */
  lateTask?: string | undefined;
  /** Told each resource the task converges. */
  onResource?: ((outcome: ResourceOutcome) => void) | undefined;
}

export interface LoadOptions {
  /** Path of the .sloth file. */
  file: string;
  modules: ModuleSpec[];
  values?: Record<string, unknown>;
  params?: Record<string, unknown>;
  /** Receives log lines written while the file loads (print at top level). */
  observer?: RunObserver;
  /** Persistent state (and the run's stack) for modules, also at load time. */
  services?: RunServices;
  /** Shows file names relative to this directory (an agent's copy of a workflow lives in a temp directory). */
  displayRoot?: string;
  /** A sandbox made ahead with the same modules (an agent keeps one ready); made here otherwise. */
  sandbox?: PreparedSandbox | undefined;
  /** How long running the file's top level may take (default 10 s): a top-level endless loop is a load error. */
  loadTimeoutMs?: number | undefined;
  /** Stops loading (an agent's task timeout or cancellation covers loading the file). */
  signal?: AbortSignal | undefined;
  /** Check mode (the `check_mode` global, also at load time); runs of this file default to it. */
  checkMode?: boolean | undefined;
}

/** How long a file's top level may run by default. */
export const DEFAULT_LOAD_TIMEOUT_MS = 10_000;

/** A loaded workflow file: its workflows as engine specs, backed by the Lua state that runs their functions. */
export class WorkflowFile {
  /** True when the file declares no workflow and one was made of all its tasks. */
  implicit = false;
  workflows: WorkflowSpec[] = [];
  private luaTasks = new Map<string, LuaTaskSpec>();
  /** The tasks the file declares when it loads: an agent's copy of the file has them; others travel as code. */
  private readonly declared = new Set<string>();
  /** The run in progress and its services (Task:run() joins it; workflow hooks' modules see its stack). */
  private activeRun: { run: ActiveRun | undefined; services: RunServices | undefined; checkMode: boolean } | undefined;
  /** The Lua files `require` read, by absolute path: they travel with delegated tasks. */
  readonly luaFiles = new Map<string, string>();

  private constructor(
    readonly path: string,
    readonly displayPath: string,
    private readonly runtime: LuaRuntime,
    private readonly options: LoadOptions,
    /** The workflow file's text as it was loaded. */
    readonly source: string,
  ) {}

  /** Reads, executes and checks a workflow file; every mistake becomes a `load` error naming file and line. */
  static async load(options: LoadOptions): Promise<WorkflowFile> {
    const { path, source } = await readLuaSource(options.file, 'workflow file', 'pass the path of a .sloth file with -f');
    const shown = displayPath(path, options.displayRoot);
    let file: WorkflowFile | undefined;
    const { sandbox } = options;
    if (sandbox && sandbox.modules !== options.modules)
      throw new SlothError('internal', 'a prepared Lua sandbox has other modules than the file it was given to');
    if (!sandbox) await loadNamedLazyModules(options.modules, path, source);
    const runtime = await (sandbox ?? (await PreparedSandbox.make(options.modules))).use({
      file: path,
      params: options.params,
      values: options.values,
      checkMode: options.checkMode,
      // Module calls at load time (top-level code) log under the file's name.
      fallbackCtx: () => file?.loadCtx() ?? loadContext(path, shown, options, options.services),
      runTaskNow: (name, params) => (file as WorkflowFile).runTaskNow(name, params),
      onLuaFile: (p, text) => file?.luaFiles.set(p, text),
      displayRoot: options.displayRoot,
    });
    file = new WorkflowFile(path, shown, runtime, options, source);
    try {
      await file.boot(source);
    } catch (err) {
      runtime.close();
      throw err;
    }
    return file;
  }

  /** The modules the file was loaded with (the run's registry: hooks of its events get them too). */
  get modules(): ModuleSpec[] {
    return this.options.modules;
  }

  private loadCtx(): ModuleCallContext {
    return loadContext(this.path, this.displayPath, this.options, this.services, this.activeRun?.checkMode);
  }

  /** Services for modules: the load-time ones, plus the stack of the run in progress. */
  private get services(): RunServices | undefined {
    return this.activeRun ? this.activeRun.services : this.options.services;
  }

  private async boot(source: string): Promise<void> {
    const limitMs = this.options.loadTimeoutMs ?? DEFAULT_LOAD_TIMEOUT_MS;
    const state = { signal: undefined, moduleCtx: this.loadCtx() };
    // What would fail when it runs is reported before any of it runs (its top level can start work).
    checkWorkflowSource(source, await knownNames(this.runtime, state), this.path, this.displayPath);
    const limit = new AbortController();
    const timer = setTimeout(() => limit.abort(new LoadTimedOut()), limitMs);
    const signal = this.options.signal ? AbortSignal.any([limit.signal, this.options.signal]) : limit.signal;
    try {
      await this.runtime.run(source, `@${this.displayPath}`, [], { ...state, signal });
    } catch (err) {
      if (err instanceof LuaStopped) {
        const where = err.location ?? this.displayPath;
        if (err.reason instanceof LoadTimedOut) {
          throw new SlothError('load', `${where}: loading the file took longer than ${formatDuration(limitMs)}; stopped here`, {
            hint: 'a loop at the top level of the file never ends? Move work into tasks, or raise --load-timeout',
            cause: err,
          });
        }
        throw new SlothError('aborted', `${where}: loading the file was stopped (${errorMessage(err.reason)})`, { cause: err });
      }
      throw new SlothError('load', luaErrorText(errorMessage(err)).split('\n')[0] as string, {
        hint: 'fix the workflow file and run `sloth-runner validate -f FILE`',
        cause: err,
      });
    } finally {
      clearTimeout(timer);
    }
    const exported = (await this.runtime.run(
      '__sloth.loading = false; return __sloth.export()',
      '=sloth:export',
      [],
      state,
    )) as LuaExport;
    this.build(exported);
  }

  private build(exported: LuaExport): void {
    const tasks = asList<LuaTaskSpec>(fromLua(exported.tasks));
    for (const t of tasks) {
      this.luaTasks.set(t.name, t);
      this.declared.add(t.name);
    }
    let workflows = asList<LuaWorkflowSpec>(fromLua(exported.workflows));
    if (workflows.length === 0 && tasks.length > 0) {
      this.implicit = true;
      workflows = [{ name: basename(this.path, extname(this.path)), tasks: tasks.map((t) => t.name) }];
    }
    this.workflows = workflows.map((w) => {
      const hooks: Parameters<typeof toWorkflowSpec>[3] = {};
      if (w.on_start !== undefined) {
        const id = w.on_start;
        hooks.onStart = async () => void (await callPlainFunction(this.runtime, id, [], this.loadCtx()));
      }
      if (w.on_complete !== undefined) {
        const id = w.on_complete;
        hooks.onComplete = async (success, results) =>
          void (await callPlainFunction(this.runtime, id, [success, luaResults(results)], this.loadCtx()));
      }
      const spec = toWorkflowSpec(this.runtime, w, this.luaTasks, hooks);
      if (spec.tasks.length === 0) {
        throw new SlothError('load', `workflow '${w.name}' has no tasks`, {
          location: w.location,
          hint: 'list them with tasks = { ... } or add them with :task(name, fn)',
        });
      }
      return spec;
    });
    if (this.workflows.length === 0) {
      throw new SlothError('load', `${this.displayPath} declares no tasks and no workflows`, {
        hint: 'declare a task with task("name"):command(...) and a workflow with workflow.define("name", { tasks = {...} })',
      });
    }
  }

  /** The workflow to run: by name, or the only one; errors list the names that exist. */
  findWorkflow(name?: string): WorkflowSpec {
    if (this.workflows.length === 1 && (name === undefined || this.implicit || this.workflows[0]?.name === name)) {
      return this.workflows[0] as WorkflowSpec;
    }
    const names = this.workflows.map((w) => w.name);
    if (name === undefined) {
      throw new SlothError('usage', `${this.displayPath} defines ${names.length} workflows; name the one to run`, {
        hint: `workflows: ${names.join(', ')}`,
      });
    }
    const found = this.workflows.find((w) => w.name === name);
    if (found) return found;
    // One workflow and a different name: the name is the stack's; run the workflow anyway.
    if (this.workflows.length === 1) return this.workflows[0] as WorkflowSpec;
    throw new SlothError('not_found', `workflow '${name}' not found in ${this.displayPath}${didYouMean(name, names)}`, {
      hint: `workflows in this file: ${names.join(', ')}`,
    });
  }

  /** Runs one workflow of this file; Task:run() calls inside it join this run. Its goroutine threads end with it. */
  async run(workflow: WorkflowSpec, options: RunOptions = {}): Promise<RunResult> {
    const checkMode = options.checkMode ?? this.options.checkMode === true;
    const goroutines = new GoroutineThreads({
      modules: this.options.modules,
      file: this.path,
      params: options.params ?? this.options.params,
      values: this.options.values,
      checkMode,
      signal: options.signal,
    });
    const services = withGoroutines(options.services ?? this.options.services, goroutines);
    this.activeRun = { run: undefined, services, checkMode };
    // The global follows the run (a file loaded without check mode may be run in it).
    await this.runtime.run('check_mode = ...', '=sloth:check_mode', [checkMode], {
      signal: undefined,
      moduleCtx: this.loadCtx(),
    });
    const active = this.activeRun;
    try {
      return await runWorkflow(workflow, {
        sourceDir: dirname(this.path),
        ...options,
        checkMode,
        services,
        onRunStarted: (run) => {
          active.run = run;
          options.onRunStarted?.(run);
        },
      });
    } finally {
      this.activeRun = undefined;
      await goroutines.close();
    }
  }

  close(): void {
    this.runtime.close();
  }

  /** Runs one task now, inside the run in progress (Task:run()). */
  async runTaskNow(name: string, params: Record<string, unknown>): Promise<RunTaskNowResult> {
    await new Promise((r) => setImmediate(r)); // let the calling thread finish yielding first
    const caller = this.runtime.current;
    const t = this.luaTasks.get(name) ?? (await this.lookupLateTask(name));
    if (!t) return { success: false, error: `task '${name}' not found` };
    const spec = toTaskSpec(this.runtime, t);
    const signal = caller?.signal ?? new AbortController().signal;
    const run = this.activeRun?.run;
    const result: TaskResult = run ? await run.runTask(spec, params, signal) : await this.runTaskAlone(spec, params, signal);
    return result.status === 'success'
      ? { success: true, output: result.output ?? {} }
      : { success: false, error: result.error ?? result.status };
  }

  /** Task:run() outside any run (the file's top level): the task alone, in an environment of its own. */
  private runTaskAlone(spec: TaskSpec, params: Record<string, unknown>, signal: AbortSignal): Promise<TaskResult> {
    return executeTask(
      { ...spec, artifacts: [], consumes: [] },
      {},
      {
        runId: 'adhoc',
        params: { ...(this.options.params ?? {}), ...params },
        baseDir: process.cwd(),
        sourceDir: dirname(this.path),
        checkMode: this.options.checkMode,
        baseEnv: process.env as Record<string, string>,
        runSignal: signal,
        emit: this.options.observer ?? (() => {}),
        artifactStore: dirname(this.path),
        artifactProducers: new Map(),
        requestAbort: () => {},
        services: this.options.services,
      },
    );
  }

  /**
   * Runs only the body of one task, as an agent does for a delegated task: its conditions, hooks and retries belong
   * to the engine that delegated it. `this.agent.get()` names `agent`; the task's timeout is the one it was sent with.
   */
  async runDelegatedTask(req: DelegatedTaskRequest): Promise<TaskResult> {
    const t = req.lateTask ? await this.adoptLateTask(req.task, req.lateTask) : this.luaTasks.get(req.task);
    if (!t) {
      return {
        name: req.task,
        status: 'failed',
        attempts: 0,
        durationMs: 0,
        error: `task '${req.task}' is not declared in ${this.displayPath}${didYouMean(req.task, [...this.luaTasks.keys()])}`,
      };
    }
    const spec = toTaskSpec(this.runtime, t);
    const goroutines = new GoroutineThreads({
      modules: this.options.modules,
      file: this.path,
      params: req.params,
      values: this.options.values,
      checkMode: this.options.checkMode,
      signal: req.signal,
    });
    const env: TaskRunEnv = {
      runId: req.runId,
      params: req.params,
      baseDir: req.baseDir,
      baseEnv: process.env as Record<string, string>,
      runSignal: req.signal,
      emit: req.observer,
      artifactStore: dirname(this.path),
      artifactProducers: new Map(),
      requestAbort: () => {},
      services: withGoroutines(this.options.services, goroutines),
      agent: req.agent,
      callerLogsFailure: true,
      sourceDir: dirname(this.path),
      sourceBundled: true,
      checkMode: this.options.checkMode,
      onResource: req.onResource,
    };
    const bodyOnly = {
      ...spec,
      runIf: undefined,
      abortIf: undefined,
      preHook: undefined,
      postHook: undefined,
      onSuccess: undefined,
      onFailure: undefined,
      onTimeout: undefined,
      retry: NO_RETRY,
      delegateTo: undefined,
      chooseAgents: undefined,
      artifacts: [],
      consumes: [],
      timeoutMs: req.timeoutMs,
    };
    try {
      return await executeTask(bodyOnly, req.deps, env);
    } finally {
      await goroutines.close();
    }
  }

  /**
   * A task created at run time (inside another task), as it travels to an agent whose copy of the file never declares
   * it: its spec as JSON, with its body function and upvalues encoded like a goroutine's. Undefined for a task the
   * file declares when it loads. Conditions and hooks are left out: they run on this side.
   */
  async lateTaskPayload(name: string): Promise<string | undefined> {
    if (this.declared.has(name)) return undefined;
    const t = this.luaTasks.get(name) ?? (await this.lookupLateTask(name));
    if (!t) return undefined;
    const { command, name: _, location, description, timeout_ms, workdir, user, env, tags } = t;
    let body: { shell?: string; code?: string };
    if (command?.fn !== undefined) {
      try {
        body = {
          code: (await this.runtime.run('return __sloth.encode_body(...)', '=sloth:encode', [command.fn], {
            signal: undefined,
            moduleCtx: this.loadCtx(),
          })) as string,
        };
      } catch (err) {
        throw new SlothError('usage', `task '${name}' cannot travel to an agent: ${luaErrorText(errorMessage(err))}`, {
          location,
          hint: 'a task created at run time is sent as code: its function may use locals that are values, tables or functions, not coroutines or userdata',
        });
      }
    } else {
      body = { shell: command?.shell };
    }
    return JSON.stringify({ location, description, timeout_ms, workdir, user, env, tags, command: body });
  }

  /** Declares on this (agent's) side a task another engine created at run time, from lateTaskPayload(). */
  private async adoptLateTask(name: string, payload: string): Promise<LuaTaskSpec> {
    let json: unknown;
    try {
      json = JSON.parse(payload);
    } catch {
      json = undefined;
    }
    const parsed = lateTaskSchema.safeParse(json);
    if (!parsed.success) throw new SlothError('invalid_argument', `the task '${name}' sent to this agent is malformed`);
    const { command, ...spec } = parsed.data;
    let fn: number | undefined;
    if (command.call !== undefined) {
      const { module, fn: name, args } = command.call;
      fn = (await this.runtime.run('return __sloth.call_body(...)', '=sloth:decode', [module, name, args, args.length], {
        signal: undefined,
        moduleCtx: this.loadCtx(),
      })) as number;
    } else if (command.code !== undefined) {
      fn = (await this.runtime.run('return __sloth.decode_body(...)', '=sloth:decode', [command.code], {
        signal: undefined,
        moduleCtx: this.loadCtx(),
      })) as number;
    }
    const t: LuaTaskSpec = { ...spec, name, command: fn !== undefined ? { fn } : { shell: command.shell } };
    this.luaTasks.set(name, t);
    return t;
  }

  /** Tasks built at run time (inside another task) are not in the load-time export. */
  private async lookupLateTask(name: string): Promise<LuaTaskSpec | undefined> {
    const spec = await this.runtime.run('return __sloth.task_spec(...)', '=sloth:lookup', [name], {
      signal: undefined,
      moduleCtx: this.loadCtx(),
    });
    if (!spec) return undefined;
    const t = fromLua(spec) as LuaTaskSpec;
    this.luaTasks.set(name, t);
    return t;
  }
}

const lateTaskSchema = z.object({
  location: z.string().optional(),
  description: z.string().optional(),
  timeout_ms: z.number().optional(),
  workdir: z.string().optional(),
  user: z.string().optional(),
  env: z.record(z.string(), z.string()).optional(),
  tags: z.array(z.string()).optional(),
  command: z.object({
    shell: z.string().optional(),
    code: z.string().optional(),
    call: z.object({ module: z.string(), fn: z.string(), args: z.array(z.unknown()) }).optional(),
  }),
});

/**
 * A module function call as it travels to an agent (`target = "agent"`): a task the agent adopts like one created at
 * run time, whose body makes the call and whose output's `value` is what it returned.
 */
export function moduleCallPayload(call: { module: string; fn: string; args: unknown[] }): string {
  return JSON.stringify({ command: { call } });
}

/**
 * The run's services plus its goroutine threads. The base is the prototype rather than spread, so that a lazily opened
 * store (a getter) is still opened only when a module uses it.
 */
function withGoroutines(base: RunServices | undefined, goroutines: GoroutineThreads): RunServices {
  const services: RunServices = Object.create(base ?? null);
  services.goroutines = goroutines;
  return services;
}

/** The module context of code that runs outside any task: a file's top level, workflow hooks. */
function loadContext(
  path: string,
  shown: string,
  options: LoadOptions,
  services: RunServices | undefined,
  checkMode = options.checkMode === true,
): ModuleCallContext {
  const emit = options.observer ?? (() => {});
  return createModuleContext({
    checkMode,
    sourceDir: dirname(path),
    log: {
      log: (level, message, fields, stream) =>
        emit({ type: 'task.log', runId: 'load', task: basename(shown), level, message, fields, stream, at: Date.now() }),
    },
    services,
  });
}

/** `results.<task>` as on_complete sees it. */
function luaResults(results: Record<string, TaskResult>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, r] of Object.entries(results)) {
    out[name] = {
      status: r.status,
      duration_ms: Math.round(r.durationMs),
      attempts: r.attempts,
      output: r.output,
      error: r.error,
      error_code: r.errorCode,
      skip_reason: r.skipReason,
      changed: r.changed === true,
    };
  }
  return out;
}

/** The reason a load is stopped when its time is up. */
class LoadTimedOut extends Error {
  constructor() {
    super('the load time limit passed');
  }
}

export { displayPath, LuaStopped };
