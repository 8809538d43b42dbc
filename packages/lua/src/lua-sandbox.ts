import { existsSync, readFileSync } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createModuleContext,
  didYouMean,
  errorMessage,
  type ModuleCallContext,
  type ModuleSpec,
  makeDirectory,
  parseDuration,
  readUserFile,
  SlothError,
} from '@sloth/core/internal';
import { LuaRuntime } from './lua-runtime.js';
import { luaSourceText } from './lua-source-text.js';
import { fromLua } from './lua-values.js';
import { bindModules } from './module-binder.js';
import { NESTED_MODULES_LUA } from './nested-modules.js';
import { STDLIB_LUA } from './stdlib.lua.js';

const luaSources = new Map<string, string>();
/** A Lua file of this package (lua/NAME.lua), read once. */
function luaSource(name: string): string {
  let source = luaSources.get(name);
  if (source === undefined) {
    source = readFileSync(fileURLToPath(new URL(`../lua/${name}.lua`, import.meta.url)), 'utf8');
    luaSources.set(name, source);
  }
  return source;
}

/** What `Task:run()` reports back to Lua. */
export interface RunTaskNowResult {
  success: boolean;
  output?: unknown;
  error?: string;
}

export interface SandboxOptions {
  modules: ModuleSpec[];
  /** The .sloth (or hook) file whose directory `require` searches for Lua files. */
  file?: string | undefined;
  params?: Record<string, unknown> | undefined;
  values?: Record<string, unknown> | undefined;
  /** The run is in check mode: the `check_mode` global. */
  checkMode?: boolean | undefined;
  /** Context for module calls made outside any task (top-level code of a file). */
  fallbackCtx: () => ModuleCallContext;
  /** Runs a task by name for `Task:run()`; without it, Task:run() fails with `runTaskRefusal`. */
  runTaskNow?: ((name: string, params: Record<string, unknown>) => Promise<RunTaskNowResult>) | undefined;
  /** Why Task:run() is unavailable here (e.g. "inside a goroutine"). */
  runTaskRefusal?: string | undefined;
  /** Told every Lua file `require` reads, by absolute path (they travel with delegated tasks). */
  onLuaFile?: ((path: string, source: string) => void) | undefined;
  /** Shows file names relative to this directory in errors (an agent's copy of a workflow in a temp directory). */
  displayRoot?: string | undefined;
}

/** What a sandbox is for, given when it is used: everything but the modules it was made with. */
export type SandboxUse = Omit<SandboxOptions, 'modules'>;

/** The context of module calls while a prepared sandbox waits for its use: nothing calls a module then. */
const PREPARING: ModuleCallContext = createModuleContext({ env: {} });

/** Per use: the run's params (read-only), values and check mode. */
const USE_LUA = `local host = ...
params = __sloth.readonly(host.params or {}, 'params')
values = host.values or {}
check_mode = host.check_mode == true`;

/**
 * A Lua runtime with the workflow language, every module and our standard library loaded, made before it is known
 * what for: an agent keeps one ready so that the first task of a delegated run does not wait for it (binding the
 * modules and loading our Lua is most of loading a file). `use` gives it its file's options, once.
 */
export class PreparedSandbox {
  private use_: SandboxUse | undefined;

  private constructor(
    readonly modules: ModuleSpec[],
    private readonly runtime: LuaRuntime,
  ) {}

  /** Makes a sandbox with `modules` bound. */
  static async make(modules: ModuleSpec[]): Promise<PreparedSandbox> {
    const runtime = await LuaRuntime.create();
    const sandbox = new PreparedSandbox(modules, runtime);
    const options = () => sandbox.options();
    try {
      const state = { signal: undefined, moduleCtx: PREPARING };
      await runtime.run(luaSource('prelude'), '=sloth:prelude', [preludeHost(options)], state);
      // Binding takes a context for its own Lua calls, before any use.
      await bindModules(runtime, modules, () => sandbox.use_?.fallbackCtx() ?? PREPARING);
      await runtime.run(`local m = __sloth.modules\n${NESTED_MODULES_LUA}`, '=sloth:glue', [], state);
      await runtime.run(STDLIB_LUA, '=sloth:stdlib', [stdlibHost(modules, options)], state);
      // Last, so that the codec's map of library values holds every module and the standard library, and nothing else.
      await runtime.run(luaSource('transfer'), '=sloth:transfer', [], state);
      return sandbox;
    } catch (err) {
      runtime.close();
      throw err;
    }
  }

  /** Gives the sandbox its file (or hook) and its params and values; returns its runtime. A sandbox is used once. */
  async use(options: SandboxUse): Promise<LuaRuntime> {
    if (this.use_) throw new SlothError('internal', 'a prepared Lua sandbox was used twice');
    this.use_ = options;
    try {
      const state = { signal: undefined, moduleCtx: options.fallbackCtx() };
      await this.runtime.run(
        USE_LUA,
        '=sloth:use',
        [{ params: options.params ?? {}, values: options.values ?? {}, check_mode: options.checkMode === true }],
        state,
      );
      return this.runtime;
    } catch (err) {
      this.runtime.close();
      throw err;
    }
  }

  /** Frees a sandbox that was never used. */
  close(): void {
    if (!this.use_) this.runtime.close();
  }

  private options(): SandboxUse {
    if (!this.use_) throw new SlothError('internal', 'a prepared Lua sandbox was called before it was used');
    return this.use_;
  }
}

/**
 * A Lua runtime with the workflow language, every module and our standard library overrides loaded: the one
 * way a workflow file, a goroutine worker or a hook gets a Lua state.
 */
export async function createSandbox(options: SandboxOptions): Promise<LuaRuntime> {
  return (await PreparedSandbox.make(options.modules)).use(options);
}

function preludeHost(options: () => SandboxUse) {
  return {
    did_you_mean: (name: string, list: unknown) => didYouMean(name, Array.isArray(list) ? (list as string[]) : []),
    parse_duration: (v: string | number) => {
      try {
        return { ms: parseDuration(v) };
      } catch (err) {
        return { error: errorMessage(err) };
      }
    },
    run_task_now: async (name: string, params: unknown): Promise<RunTaskNowResult> => {
      const { runTaskNow, runTaskRefusal } = options();
      if (!runTaskNow) return { success: false, error: `Task:run() is not available ${runTaskRefusal ?? 'here'}` };
      return runTaskNow(name, (fromLua(params) ?? {}) as Record<string, unknown>);
    },
    workdir_op: (op: string, path: string, own: boolean) =>
      workdirOp(op, path, own).catch((err: unknown) => ({
        error: err instanceof SlothError ? `${err.message} (${err.hint})` : errorMessage(err),
      })),
  };
}

function stdlibHost(modules: ModuleSpec[], options: () => SandboxUse) {
  return {
    getenv: (name: string) => process.env[name],
    find_lua_file: (name: string) => {
      const { file, displayRoot, onLuaFile } = options();
      const found = findLuaFile(
        file,
        name,
        modules.map((m) => m.name),
        displayRoot,
      );
      if (found.file !== undefined && found.source !== undefined) onLuaFile?.(found.file, found.source);
      return found;
    },
  };
}

/**
 * Reads a Lua file the user named (a workflow, a hook): its absolute path and text, or an error saying which kind of
 * file is missing or unreadable and `hint` on what to pass instead.
 */
export async function readLuaSource(file: string, kind: string, hint: string): Promise<{ path: string; source: string }> {
  return { path: resolve(file), source: luaSourceText(await readUserFile(file, kind, hint)) };
}

/** Resolves `require(name)` to a Lua file next to `file` (a.b -> a/b.lua, ./x, x/init.lua). */
export function findLuaFile(
  file: string | undefined,
  name: string,
  builtins: string[],
  displayRoot?: string,
): { path?: string; file?: string; source?: string; error?: string } {
  const base = file ? dirname(file) : process.cwd();
  const rel = name.startsWith('.') || name.includes('/') ? name : name.replaceAll('.', '/');
  const candidates = [rel, `${rel}.lua`, `${rel}.sloth`, join(rel, 'init.lua')].map((c) => (isAbsolute(c) ? c : join(base, c)));
  for (const candidate of candidates) {
    if (existsSync(candidate) && !candidate.endsWith('/')) {
      try {
        const source = luaSourceText(readFileSync(candidate, 'utf8'));
        return { path: displayPath(candidate, displayRoot), file: candidate, source };
      } catch {
        // a directory: try the next candidate
      }
    }
  }
  const next = file ? ` next to ${displayPath(file)}` : '';
  return {
    error: `module '${name}' not found: no built-in module of that name${didYouMean(name, builtins)} and no file ${rel}.lua${next}`,
  };
}

async function workdirOp(op: string, path: string, own: boolean): Promise<{ value?: boolean; error?: string }> {
  if (op === 'ensure') {
    await makeDirectory(path);
    return { value: true };
  }
  if (op === 'exists') {
    try {
      return { value: (await stat(path)).isDirectory() };
    } catch {
      return { value: false };
    }
  }
  if (!own) {
    throw new SlothError(
      'invalid_argument',
      `workdir.cleanup() refused: this task has no workdir of its own (it would delete ${path})`,
      {
        hint: 'set one with :workdir("/tmp/...") to use cleanup()',
      },
    );
  }
  await rm(path, { recursive: true, force: true });
  return { value: true };
}

/** A path as people want to read it: relative to the current directory when inside it. */
export function displayPath(path: string, root: string = process.cwd()): string {
  const rel = relative(root, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}
