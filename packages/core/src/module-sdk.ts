import { z } from 'zod';
import type { AssertionRecord } from './assertions.js';
import { SlothError } from './errors.js';
import type { Host } from './host.js';
import type { ResourceOutcome } from './resource.js';
import type { RunServices } from './run-services.js';
import type { TaskLogger } from './task-logger.js';
import type { ToolSpec } from './tool-cli.js';

/** What a module function may use from the task that calls it (made by createModuleContext). */
export interface ModuleCallContext {
  /** The function being called, qualified ("state.set"): the binder sets it for each call, for messages. */
  fn: string;
  task: string | undefined;
  signal: AbortSignal;
  log: TaskLogger;
  /** Directory relative paths are resolved against (the task's workdir). */
  workdir: string;
  /**
   * The workflow file's directory, where a relative `src` (a file the workflow ships: a config, a template) is found.
   * On an agent, the directory its copy of the workflow was unpacked to.
   */
  sourceDir: string;
  /** True on an agent: only files under `sourceDir` travelled with the task, so a `src` outside it cannot be read. */
  sourceBundled: boolean;
  env: Readonly<Record<string, string>>;
  user: string | undefined;
  /** Persistent state and the run's stack, when the caller has them. */
  services?: RunServices | undefined;
  /** Check mode: resources report what they would change and change nothing. */
  checkMode: boolean;
  /** The machine the task acts on: resources read and change it only through this. */
  host: Host;
  /** Told the outcome of each resource converged (the task's `changed` is made from these). */
  reportResource: (outcome: ResourceOutcome) => void;
  /** Told each check made (infra_test): the task's `assertions` are counted from these. */
  reportAssertion: (assertion: AssertionRecord) => void;
  /**
   * This call's number among the module calls made on this JS thread, set by the Lua binder (undefined for calls made
   * from JS). When a module's previous call is numbered one less, nothing else was called in between, so what that
   * call read of the machine may serve again (infra_test reads the process table once for a run of checks).
   */
  callSerial?: number | undefined;
}

export interface ArgSpec<S extends z.ZodType = z.ZodType> {
  name: string;
  schema: S;
  doc?: string | undefined;
}

type ArgValues<A extends readonly ArgSpec[]> = { [K in keyof A]: A[K] extends ArgSpec<infer S> ? z.output<S> : never };

export interface FunctionSpec<A extends readonly ArgSpec[] = readonly ArgSpec[]> {
  doc: string;
  args: A;
  /** What it returns, in Lua terms, for docs and `modules list`. */
  returns: string;
  examples?: string[] | undefined;
  run: (args: ArgValues<A>, ctx: ModuleCallContext) => unknown;
  /**
   * Lua source of a function expression that implements this function on the Lua side instead of `run`,
   * for functions that call back into Lua (a Lua callback cannot be awaited from JS). `M` is the module table.
   * Example: 'function(name, fn) local t = M.lock(name) local ok, r = pcall(fn) M.unlock(name, t) ... end'
   */
  lua?: string | undefined;
}

/** What a module reads back of a resource it manages: whether it exists, and the current value of its properties. */
export interface ResourceReadback {
  exists: boolean;
  /** The current values of the recorded properties it can read (keys it cannot read are left out). */
  properties?: Record<string, unknown> | undefined;
}

export interface ModuleSpec {
  name: string;
  doc: string;
  functions: Record<string, FunctionSpec>;
  /**
   * Helpers that only the module's own Lua sources (`FunctionSpec.lua`) see, as fields of `M`: not globals, not in
   * `modules list` or the docs.
   */
  internals?: Record<string, FunctionSpec> | undefined;
  /**
   * Optional drift hook for `sloth-runner stack drift`: reads back a stack resource this module manages (registered with
   * `module = "<this module>"`) so its recorded properties can be compared with what is really there. Return undefined
   * for resource types it cannot read; they are listed as not checkable. Must not change anything.
   */
  readResource?:
    | ((
        type: string,
        name: string,
        properties: Record<string, unknown>,
        ctx: ModuleCallContext,
      ) => Promise<ResourceReadback | undefined>)
    | undefined;
  /**
   * Where threads that load modules themselves (goroutine workers) import this module from: the URL of a file that
   * exports it, usually `import.meta.url` of the file that defines it. Without it, the module is not available inside
   * goroutines.
   */
  importFrom?: string | undefined;
  /**
   * Its functions change or read a machine, and accept `target = "agent-name"` in their options table (or a trailing
   * `{ target = ... }`): the binder then sends the call to that agent through the master and returns its result.
   */
  targetable?: boolean | undefined;
  /** The CLIs it runs (docker, kubectl...): `modules list` says whether each is found. */
  tools?: readonly ToolSpec[] | undefined;
  /** The plugin (npm package) that added it; set by the plugin loader, undefined for a built-in module. */
  plugin?: string | undefined;
  /**
   * A plugin's module known by name, its code not imported yet (set by the plugin loader): `functions` is empty and
   * `load` imports the plugin and gives the module. A workflow that names it gets it loaded before it runs; one that
   * reaches it otherwise loads it on first use.
   */
  lazy?: { functions: readonly string[]; load: () => Promise<ModuleSpec> } | undefined;
}

/** A module's description as users read it (`modules list`, the README): its doc, and what `targetable` adds. */
export function moduleDocText(module: Pick<ModuleSpec, 'doc' | 'targetable'>): string {
  if (!module.targetable) return module.doc;
  return `${module.doc} Every function also takes target = "AGENT" in its options table (or a trailing { target = "AGENT" }): the call runs on that agent through the run's master.`;
}

/** Several return values for Lua (`local status, resource = stack.register_resource(...)`). */
export class MultipleReturns {
  constructor(readonly values: unknown[]) {}
}
export const returnsMany = (...values: unknown[]) => new MultipleReturns(values);

/** Declares a positional argument of a module function. */
export function arg<S extends z.ZodType>(name: string, schema: S, doc?: string): ArgSpec<S> {
  return { name, schema, doc };
}

/** Declares a module function; the generic types tie `run`'s arguments to the zod schemas. */
export function fn<const A extends readonly ArgSpec[]>(spec: FunctionSpec<A>): FunctionSpec {
  return spec as unknown as FunctionSpec;
}

/**
 * A function the module's Lua side implements: `M._lua`, an internal whose `lua` is an expression of a table of
 * functions (goroutine, infra_test). The call is a tail call, so an error names the caller's line.
 */
export function luaSideFunction(module: string, name: string, spec: Omit<FunctionSpec, 'run' | 'lua'>): FunctionSpec {
  return {
    ...spec,
    run: () => {
      throw new SlothError('internal', `${module}.${name} runs in Lua`);
    },
    lua: `function(...) return M._lua.${name}(...) end`,
  };
}

/** Declares a module: data that the Lua binder, `modules list` and docs all read. */
export function defineModule(spec: ModuleSpec): ModuleSpec {
  if (!/^[a-z][a-z0-9_]*$/.test(spec.name)) {
    throw new SlothError('invalid_argument', `invalid module name '${spec.name}'`, {
      hint: 'a module name is lowercase letters, digits and underscores, starting with a letter',
    });
  }
  return spec;
}

/**
 * The module under a second name (`file` for `file_ops`, `net` for `http`): the same functions, Lua helpers and drift
 * hook, each function's doc pointing at the original's (one full description in `modules list` and the README) and
 * its examples naming the module as it is called here. `importFrom` must be the file that exports the alias.
 */
export function moduleAlias(module: ModuleSpec, name: string, doc: string, importFrom: string | undefined): ModuleSpec {
  const functions = Object.fromEntries(
    Object.entries(module.functions).map(([key, spec]) => [
      key,
      {
        ...spec,
        doc: `Same as ${module.name}.${key}.`,
        returns: `as ${module.name}.${key}`,
        examples: spec.examples?.map((e) => e.replaceAll(`${module.name}.`, `${name}.`)),
      },
    ]),
  );
  return defineModule({ ...module, name, doc, functions, importFrom });
}

/** The Lua name of a JS value's type, for error messages users can act on. */
export function luaTypeName(value: unknown): string {
  if (value === undefined || value === null) return 'nil';
  if (typeof value === 'object') return 'table';
  return typeof value === 'bigint' ? 'number' : typeof value;
}

/** Validates raw arguments against a function's schemas, or throws an `invalid_argument` error naming the argument. */
export function parseArgs(module: string, name: string, spec: FunctionSpec, raw: unknown[]): unknown[] {
  const parsed: unknown[] = [];
  spec.args.forEach((a, i) => {
    const value = raw[i] === null ? undefined : raw[i];
    const result = a.schema.safeParse(value);
    if (result.success) {
      parsed.push(result.data);
      return;
    }
    const issue = result.error.issues[0];
    // List indexes are shown 1-based: the caller is Lua, where the first element is [1].
    const shown = issue?.path.map((key) => (typeof key === 'number' ? key + 1 : String(key)));
    const where = shown && shown.length > 0 ? ` field '${shown.join('.')}'` : '';
    const received = issue && issue.path.length > 0 ? valueAt(value, issue.path) : value;
    const expected = issue ? describeIssue(issue, received) : 'invalid value';
    throw new SlothError('invalid_argument', `${module}.${name}: argument #${i + 1} (${a.name})${where}: ${expected}`, {
      hint: `usage: ${signature(module, name, spec)}`,
    });
  });
  if (raw.length > spec.args.length && raw.slice(spec.args.length).some((v) => v !== undefined && v !== null)) {
    throw new SlothError('invalid_argument', `${module}.${name}: takes ${spec.args.length} argument(s), got ${raw.length}`, {
      hint: `usage: ${signature(module, name, spec)}`,
    });
  }
  return parsed;
}

/** An argument's schema as JSON Schema, as a caller writes it (zod's input side); `{}` when zod cannot say. */
export function argJsonSchema(schema: z.ZodType): Record<string, unknown> {
  try {
    return z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' }) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** `exec.run(cmd, opts?)`. */
export function signature(module: string, name: string, spec: FunctionSpec): string {
  const args = spec.args.map((a) => (a.schema.safeParse(undefined).success ? `${a.name}?` : a.name));
  return `${module}.${name}(${args.join(', ')})`;
}

/** An issue in Lua terms: what was expected and what came, for the common type and union mismatches. */
function describeIssue(issue: z.core.$ZodIssue, received: unknown): string {
  if (issue.code === 'invalid_type') {
    const expected = luaExpected(issue.expected);
    // Both are Lua tables; say which kind so "expected table, got table" never happens.
    if (expected === 'table' && Array.isArray(received) && received.length > 0)
      return 'expected a table of key = value pairs, got a list';
    return `expected ${expected}, got ${luaTypeName(received)}`;
  }
  // A union with its own error message says it better than we can.
  if (issue.code === 'invalid_union' && issue.message === 'Invalid input') {
    const options = issue.errors.map((branch) =>
      branch[0]?.code === 'invalid_type' ? luaExpected(branch[0].expected) : undefined,
    );
    if (options.length > 0 && options.every((o) => o !== undefined)) {
      return `expected ${[...new Set(options)].join(' or ')}, got ${luaTypeName(received)}`;
    }
  }
  return issue.message;
}

function luaExpected(expected: unknown): string {
  switch (expected) {
    case 'object':
    case 'array':
    case 'record':
    case 'map':
      return 'table';
    case 'undefined':
      return 'nil';
    case 'int':
      return 'integer';
    case 'function':
      return 'function';
    default:
      return String(expected);
  }
}

function valueAt(value: unknown, path: PropertyKey[]): unknown {
  let v: unknown = value;
  for (const key of path) v = v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[key] : undefined;
  return v;
}

export { z };
