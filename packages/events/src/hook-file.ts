import {
  checkEventPattern,
  createModuleContext,
  errorMessage,
  type ModuleCallContext,
  type ModuleSpec,
  parseDuration,
  SlothError,
  z,
} from '@sloth/core/internal';
import { createSandbox, displayPath, type LuaRuntime, LuaStopped, luaErrorText, readLuaSource } from '@sloth/lua';
import { DESCRIBE_HOOK_LUA } from './hook-lua.js';

/** A hook runs at most this long unless its file or `hook add --timeout` says otherwise. */
export const DEFAULT_HOOK_TIMEOUT_MS = 30_000;
/** How many times a failing hook runs for one event unless told otherwise. */
export const DEFAULT_MAX_ATTEMPTS = 3;
/** Top-level code of a hook file must finish loading within this. */
const LOAD_TIMEOUT_MS = 10_000;

/** A checked hook file: what `hook add` stores. */
export interface HookDefinition {
  name: string;
  eventType: string;
  stack: string | undefined;
  timeoutMs: number;
  maxAttempts: number;
  source: string;
  /** Absolute path of the file. */
  path: string;
}

/** What `hook add` flags override in the file. */
export interface HookOverrides {
  name?: string | undefined;
  eventType?: string | undefined;
  stack?: string | undefined;
  timeout?: string | undefined;
  maxAttempts?: number | undefined;
}

const nameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, _, . and - (no spaces)')
  .max(100);

const description = z.object({
  error: z.string().optional(),
  returned: z.string().optional(),
  name: z.unknown().optional(),
  name_type: z.string().optional(),
  event_type: z.unknown().optional(),
  event_type_type: z.string().optional(),
  stack: z.unknown().optional(),
  stack_type: z.string().optional(),
  timeout: z.unknown().optional(),
  timeout_type: z.string().optional(),
  max_attempts: z.unknown().optional(),
  max_attempts_type: z.string().optional(),
  execute_type: z.string().optional(),
});

/** Loads a hook's Lua source into `runtime` (as __sloth_hook) and returns the raw description of its table. */
export async function loadHookSource(
  runtime: LuaRuntime,
  source: string,
  path: string,
  moduleCtx: ModuleCallContext,
): Promise<z.infer<typeof description>> {
  const signal = AbortSignal.timeout(LOAD_TIMEOUT_MS);
  let raw: unknown;
  try {
    raw = await runtime.run(DESCRIBE_HOOK_LUA, '=sloth:hook', [source, `@${displayPath(path)}`], {
      signal,
      moduleCtx: { ...moduleCtx, signal },
    });
  } catch (err) {
    if (err instanceof LuaStopped) {
      throw new SlothError(
        'load',
        `${displayPath(path)}: the file's top-level code did not finish within ${LOAD_TIMEOUT_MS / 1000}s`,
        {
          hint: 'a hook file should only build the hook table; do the work inside hook.execute(event)',
        },
      );
    }
    throw new SlothError('load', luaErrorText(errorMessage(err)), { hint: 'fix the hook file' });
  }
  return description.parse(raw ?? {});
}

/**
 * Reads, loads and checks a hook file: a Lua syntax or runtime error names the file and line, and a missing name,
 * event_type or execute function is said plainly. `hook add` stores the result.
 */
export async function readHookFile(
  file: string,
  modules: ModuleSpec[],
  overrides: HookOverrides = {},
  moduleCtx?: ModuleCallContext,
): Promise<HookDefinition> {
  const { path, source } = await readLuaSource(file, 'hook file', 'pass the path of a Lua file that returns the hook table');
  const shown = displayPath(path);
  const ctx = moduleCtx ?? quietContext(path);
  const runtime = await createSandbox({ modules, file: path, fallbackCtx: () => ctx, runTaskRefusal: 'in a hook' });
  try {
    const d = await loadHookSource(runtime, source, path, ctx);
    return checkDescription(d, shown, path, source, overrides);
  } finally {
    runtime.close();
  }
}

function checkDescription(
  d: z.infer<typeof description>,
  shown: string,
  path: string,
  source: string,
  overrides: HookOverrides,
): HookDefinition {
  const fail = (message: string, hint: string) => new SlothError('load', `${shown}: ${message}`, { hint });
  const shape =
    'local hook = { name = "...", event_type = "task.failed" }; function hook.execute(event) ... return true end; return hook';
  if (d.error !== undefined) throw new SlothError('load', d.error, { hint: 'fix the hook file; it must load as Lua 5.4' });
  if (d.returned !== 'table')
    throw fail(
      `the file must return the hook table, but it returned ${d.returned === 'nil' || d.returned === undefined ? 'nothing' : `a ${d.returned}`}`,
      shape,
    );
  if (d.execute_type !== 'function') {
    throw fail(
      `the hook has no execute function (hook.execute is ${d.execute_type ?? 'nil'})`,
      'define function hook.execute(event) ... return true, "done" end',
    );
  }
  const field = (key: string, type: string | undefined, want: string) => {
    if (type !== undefined && type !== 'nil' && type !== want) throw fail(`hook.${key} must be a ${want}, not a ${type}`, shape);
  };
  field('name', d.name_type, 'string');
  field('event_type', d.event_type_type, 'string');
  field('stack', d.stack_type, 'string');
  field('max_attempts', d.max_attempts_type, 'number');
  const name = overrides.name ?? (d.name as string | undefined);
  if (name === undefined) throw fail('the hook has no name', 'set name = "..." in the hook table, or pass --name');
  const parsedName = nameSchema.safeParse(name);
  if (!parsedName.success)
    throw fail(`invalid hook name '${name}': ${parsedName.error.issues[0]?.message}`, 'e.g. name = "notify_failures"');
  const eventType = overrides.eventType ?? (d.event_type as string | undefined);
  if (eventType === undefined) {
    throw fail(
      'the hook has no event_type',
      'set event_type = "task.failed" (or "task.*", "*") in the hook table, or pass --event',
    );
  }
  try {
    checkEventPattern(eventType, shown);
  } catch (err) {
    if (err instanceof SlothError) throw new SlothError('load', err.message, { hint: err.hint });
    throw err;
  }
  const timeout = overrides.timeout ?? (d.timeout as string | number | undefined);
  let timeoutMs = DEFAULT_HOOK_TIMEOUT_MS;
  if (timeout !== undefined) {
    try {
      timeoutMs = parseDuration(timeout, 'timeout');
    } catch (err) {
      throw fail(`hook timeout: ${errorMessage(err)}`, 'a duration like "30s" or "5m", or seconds as a number');
    }
    if (timeoutMs <= 0) throw fail('hook timeout must be more than 0', 'e.g. timeout = "30s"');
  }
  const maxAttempts = overrides.maxAttempts ?? (d.max_attempts as number | undefined) ?? DEFAULT_MAX_ATTEMPTS;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 100) {
    throw fail(`max_attempts must be a whole number from 1 to 100, got ${maxAttempts}`, 'e.g. max_attempts = 3');
  }
  const stack = overrides.stack ?? (d.stack as string | undefined);
  return { name, eventType, stack: stack === '' ? undefined : stack, timeoutMs, maxAttempts, source, path };
}

/** The module context of code running outside any event (a hook file's top level at `hook add`): logs are dropped. */
export function quietContext(path: string): ModuleCallContext {
  return createModuleContext({ task: `hook:${displayPath(path)}` });
}
