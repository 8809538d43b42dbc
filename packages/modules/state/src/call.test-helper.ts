import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LogLevel, type ModuleCallContext, type ModuleSpec, parseArgs } from '@sloth/core';
import { openStore, type Store } from '@sloth/core/store';

/** A ModuleCallContext with a real store in a fresh data directory; log lines are kept for assertions. */
export function stateContext(options: { store?: Store; signal?: AbortSignal; noServices?: boolean } = {}) {
  const lines: { level: LogLevel; message: string }[] = [];
  const store = options.store ?? openStore(mkdtempSync(join(tmpdir(), 'sloth-state-module-')));
  const ctx: ModuleCallContext = {
    task: 'test',
    signal: options.signal ?? new AbortController().signal,
    workdir: tmpdir(),
    env: {},
    user: undefined,
    log: { log: (level, message) => lines.push({ level, message }) },
    services: options.noServices ? undefined : { store },
  };
  return { ctx, store, lines };
}

/** Calls a module function the way the Lua binder does: raw arguments validated by parseArgs, then run. */
export async function call(module: ModuleSpec, name: string, args: unknown[], ctx: ModuleCallContext): Promise<unknown> {
  const spec = module.functions[name];
  if (!spec) throw new Error(`${module.name}.${name} does not exist`);
  return spec.run(parseArgs(module.name, name, spec, args) as never, ctx);
}

/** The error a call raises (fails the test if it does not raise). */
export async function failure(promise: Promise<unknown>): Promise<Error & { code?: string; hint?: string }> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof Error)) throw new Error('expected the call to raise');
  return err;
}
