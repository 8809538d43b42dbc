import { type GoroutineHost, type ModuleCallContext, parseDuration, SlothError, z } from '@sloth/core/internal';

/** The run's goroutine host, or a clear error saying why there is none here. */
export function hostOf(ctx: ModuleCallContext, who: string): GoroutineHost {
  const host = ctx.services?.goroutines;
  if (host) return host;
  if (ctx.services?.insideGoroutine) {
    throw new SlothError('usage', `${who} is not available inside a goroutine`, {
      hint: 'start every goroutine from the task body; a goroutine returns its results to the task that started it',
    });
  }
  throw new SlothError('usage', `${who} can only be used inside a task`, {
    hint: 'call it from a task body (:command(function() ... end)), not at the top level of the file',
  });
}

const timeoutSchema = z.union([z.number().nonnegative(), z.string()]).optional();

/** A wait timeout from Lua (seconds, or a duration string like "500ms") in milliseconds; undefined waits forever. */
export function timeoutMs(who: string, value: unknown): number | undefined {
  const parsed = timeoutSchema.safeParse(value ?? undefined);
  if (!parsed.success) {
    throw new SlothError('invalid_argument', `${who}: timeout: expected seconds (a number >= 0) or a duration like "500ms"`, {
      hint: `got ${JSON.stringify(value) ?? typeof value}`,
    });
  }
  if (parsed.data === undefined) return undefined;
  try {
    return parseDuration(parsed.data, 'timeout');
  } catch (err) {
    if (err instanceof SlothError) throw new SlothError(err.code, `${who}: ${err.message}`, { hint: err.hint });
    throw err;
  }
}

const workersSchema = z.number().int().min(1).max(10_000);

/** A pool size from Lua: a whole number of goroutines that may run at once. */
export function poolSize(who: string, value: unknown): number {
  const parsed = workersSchema.safeParse(value);
  if (!parsed.success) {
    throw new SlothError('invalid_argument', `${who}: workers: expected a whole number from 1 to 10000, got ${String(value)}`, {
      hint: 'e.g. goroutine.pool_create("workers", { workers = 4 })',
    });
  }
  return parsed.data;
}

/** Runs a host call, prefixing its errors with the public function that made it ("goroutine.pool_submit: ..."). */
export function as<T>(who: string, call: () => T): T {
  try {
    return call();
  } catch (err) {
    if (err instanceof SlothError && !err.message.startsWith(who)) {
      throw new SlothError(err.code, `${who}: ${err.message}`, { hint: err.hint });
    }
    throw err;
  }
}
