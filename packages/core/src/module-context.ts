import { localHost } from './host.js';
import type { ModuleCallContext } from './module-sdk.js';

/** The fields of a module context; `host` defaults to this machine, acting for the context. */
export type ModuleContextFields = Partial<ModuleCallContext>;

const NEVER = new AbortController().signal;
const QUIET = { log: () => {} };
const NO_REPORT = () => {};

/**
 * A module context: `fields` over the defaults of code outside any task (no task, the current directory, the
 * process's environment, no user, a signal that never fires, logs dropped, not check mode). The one way contexts are
 * made, so a field added to ModuleCallContext gets its default in one place.
 */
export function createModuleContext(fields: ModuleContextFields = {}): ModuleCallContext {
  const ctx: ModuleCallContext = {
    fn: '',
    task: undefined,
    signal: NEVER,
    log: QUIET,
    workdir: process.cwd(),
    sourceDir: process.cwd(),
    sourceBundled: false,
    env: process.env as Record<string, string>,
    user: undefined,
    services: undefined,
    checkMode: false,
    reportResource: NO_REPORT,
    reportAssertion: NO_REPORT,
    ...withoutUndefined(fields),
    host: fields.host as ModuleCallContext['host'],
  };
  ctx.host ??= localHost(ctx);
  return ctx;
}

/** Fields given as undefined keep their default (`{ signal: maybeSignal }`), except those whose default is undefined. */
function withoutUndefined(fields: ModuleContextFields): ModuleContextFields {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) out[key] = value;
  return out as ModuleContextFields;
}
