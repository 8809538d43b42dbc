import { tmpdir } from 'node:os';
// Test support for module authors (exported as @sloth/core/testing): call a module function exactly as the Lua binder does.
import type { AssertionRecord } from './assertions.js';
import { SlothError } from './errors.js';
import { createModuleContext } from './module-context.js';
import { type ModuleCallContext, type ModuleSpec, parseArgs } from './module-sdk.js';
import type { ResourceOutcome } from './resource.js';
import type { RunServices } from './run-services.js';
import type { LogFields, LogLevel } from './task-logger.js';

export interface LoggedLine {
  level: LogLevel;
  message: string;
  fields: LogFields | undefined;
  stream: 'stdout' | 'stderr' | undefined;
}

/**
 * A real ModuleCallContext (acting on this machine) whose log lines, resource outcomes and checks made are kept; log
 * lines can also be observed as they arrive.
 */
export function testContext(
  options: {
    workdir?: string;
    signal?: AbortSignal;
    services?: RunServices;
    checkMode?: boolean;
    onLine?: (line: LoggedLine) => void;
  } = {},
) {
  const lines: LoggedLine[] = [];
  const resources: ResourceOutcome[] = [];
  const assertions: AssertionRecord[] = [];
  const ctx = createModuleContext({
    task: 'test',
    signal: options.signal ?? new AbortController().signal,
    workdir: options.workdir ?? tmpdir(),
    env: Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined)),
    services: options.services,
    checkMode: options.checkMode ?? false,
    reportResource: (outcome) => void resources.push(outcome),
    reportAssertion: (assertion) => void assertions.push(assertion),
    log: {
      log(level, message, fields, stream) {
        const line = { level, message, fields, stream };
        lines.push(line);
        options.onLine?.(line);
      },
    },
  });
  return { ctx, lines, resources, assertions };
}

/** Calls a module function the way the Lua binder does: raw arguments validated by parseArgs, then run with `ctx.fn` set. */
export async function call(module: ModuleSpec, name: string, args: unknown[], ctx: ModuleCallContext): Promise<unknown> {
  const spec = module.functions[name];
  if (!spec) throw new Error(`${module.name}.${name} does not exist`);
  return spec.run(parseArgs(module.name, name, spec, args) as never, { ...ctx, fn: `${module.name}.${name}` });
}

/** The SlothError a call raises; throws when it resolves or raises something else. */
export async function failure(promise: Promise<unknown>): Promise<SlothError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (err === undefined) throw new Error('expected the call to raise, but it returned');
  if (!(err instanceof SlothError)) throw new Error(`expected a SlothError, got ${String(err)}`);
  return err;
}

/** True while a process with this pid runs (a zombie nobody reaped does not count). */
export { processAlive } from './daemon/pid-file.js';
export { selfSignedCertificate } from './self-signed-certificate.js';
export { writeFiles } from './temp-files.js';
export { waitFor, waitForPid } from './wait-for.js';
