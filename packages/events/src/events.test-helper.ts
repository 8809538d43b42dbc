import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinModules } from '@sloth/builtin-modules';
import { eventRepo, hookRepo, openStore, type Store } from '@sloth/store-sqlite';
import { afterEach } from 'vitest';
import { readHookFile } from './hook-file.js';
import { HookRunner } from './hook-runner.js';
import { hookServices } from './run-event-recorder.js';

/** A fresh data directory per test, closed after it. */
export function useStores() {
  const stores: Store[] = [];
  const runners: HookRunner[] = [];
  afterEach(async () => {
    for (const r of runners.splice(0)) await r.close();
    for (const s of stores.splice(0)) s.close();
  });
  return {
    fresh() {
      const dir = mkdtempSync(join(tmpdir(), 'sloth-ev-'));
      const store = openStore(dir);
      stores.push(store);
      const logs: string[] = [];
      const runner = new HookRunner({
        modules: builtinModules,
        services: hookServices(store),
        onLog: (hook, level, message) => logs.push(`${hook} ${level} ${message}`),
      });
      runners.push(runner);
      return { dir, store, events: eventRepo(store), hooks: hookRepo(store), runner, logs };
    },
  };
}

/** Writes a hook file into `dir` and registers it. */
export async function addHook(store: Store, dir: string, file: string, source: string, overrides = {}) {
  const path = join(dir, file);
  writeFileSync(path, source);
  const def = await readHookFile(path, builtinModules, overrides);
  return hookRepo(store).save({ ...def, enabled: true }).hook;
}

/** A hook file body: `execute` is the body of hook.execute(event). */
export function hookSource(name: string, eventType: string, execute: string, extra = ''): string {
  return `local hook = { name = "${name}", event_type = "${eventType}"${extra} }
function hook.execute(event)
${execute}
end
return hook
`;
}

/** Waits until `predicate` holds, polling every 10ms, or fails after `timeoutMs`. */
export async function until(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
