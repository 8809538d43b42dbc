import {
  type AbortCause,
  abortableSleep,
  abortError,
  arg,
  type FunctionSpec,
  fn,
  formatDuration,
  luaTable,
  type ModuleCallContext,
  parseArgs,
  parseDuration,
  returnsMany,
  SlothError,
  strictTable,
  z,
} from '@sloth/core/internal';
import { checkOnAgent } from './agent.js';
import { type CheckSpec, callText, MAX_RAW_ARGS, publicFunction, type Verdict } from './check.js';
import { closeCollector, collect, openCollector, peekCollector } from './collectors.js';
import { beginCheck } from './facts-memo.js';
import { INFRA_TEST_LUA } from './infra-test.lua.js';

/** The module's own name, as the binder qualified the calling function ("infra_test._check"). */
const moduleOf = (ctx: ModuleCallContext) => ctx.fn.slice(0, ctx.fn.lastIndexOf('.'));

const duration = (what: string) =>
  z.union([z.number(), z.string()]).transform((v, issue) => {
    try {
      const ms = parseDuration(v, what);
      if (ms > 0) return ms;
      issue.addIssue({ code: 'custom', message: `${what} must be more than 0` });
    } catch (err) {
      issue.addIssue({ code: 'custom', message: (err as Error).message });
    }
    return z.NEVER;
  });

const eventuallyOptions = luaTable(
  strictTable({
    timeout: duration('timeout').optional(),
    interval: duration('interval').optional(),
  }),
).optional();

/** A parsed argument as it travels to an agent (JSON): nil as null. */
const plain = (v: unknown) => (v === undefined ? null : v);

/** The JS side the public functions and the Lua side call: users never see these. */
export function internals(checks: Record<string, CheckSpec>): Record<string, FunctionSpec> {
  const publicFns = Object.fromEntries(Object.entries(checks).map(([name, spec]) => [name, publicFunction(name, spec)]));
  const raw = Array.from({ length: MAX_RAW_ARGS }, (_, i) => arg(`arg${i + 1}`, z.unknown()));
  return {
    _lua: fn({
      doc: 'the Lua side: soft, eventually, the collector stack',
      args: [],
      returns: 'table',
      run: () => undefined,
      lua: INFRA_TEST_LUA,
    }),
    _check: fn({
      doc: 'runs one check',
      args: [arg('name', z.string()), arg('collector', z.number().int().optional()), arg('count', z.number().int()), ...raw],
      returns: 'true, or false and why',
      run: async (args, ctx) => {
        const [name, collectorId, count, ...given] = args as [string, number | undefined, number, ...unknown[]];
        const spec = checks[name];
        const publicSpec = publicFns[name];
        if (!spec || !publicSpec) throw new SlothError('internal', `infra_test has no check '${name}'`);
        const module = moduleOf(ctx);
        const qualified = `${module}.${name}`;
        const parsed = parseArgs(module, name, publicSpec, given.slice(0, count));
        const own = parsed.slice(0, spec.args.length);
        const agent = parsed[spec.args.length] as string | undefined;
        const checkCtx = { ...ctx, fn: qualified };
        beginCheck(checkCtx);
        const remote = agent !== undefined && ctx.services?.remote?.has(agent) ? ctx.services.remote : undefined;
        let why: Verdict;
        if (remote && agent !== undefined) {
          // A host reached over SSH: the check runs here, reading its facts there.
          why = await spec.check(own, { ...checkCtx, host: remote.host(agent, checkCtx) });
          if (why !== undefined) why = `${why} (on ${agent})`;
        } else if (agent !== undefined) {
          // The arguments as the caller gave them: the agent parses them itself ("2s" must not arrive as 2000).
          why = await checkOnAgent(checkCtx, name, given.slice(0, spec.args.length).map(plain), agent);
        } else why = await spec.check(own, checkCtx);
        const record = {
          name: callText(name, own),
          passed: why === undefined,
          message: why === undefined ? '' : `${qualified}: ${why}`,
        };
        if (collectorId !== undefined && collect(collectorId, record))
          return record.passed ? true : returnsMany(false, record.message);
        ctx.reportAssertion(record);
        if (!record.passed) throw new SlothError('task_failed', record.message);
        return true;
      },
    }),
    _collect_begin: fn({ doc: 'opens a collector', args: [], returns: 'integer', run: () => openCollector() }),
    _collect_failures: fn({
      doc: 'the failures a collector holds so far, or nil',
      args: [arg('id', z.number().int())],
      returns: 'string or nil',
      run: ([id]) => {
        const failed = peekCollector(id).filter((r) => !r.passed);
        return failed.length === 0 ? undefined : failed.map((r) => r.message).join('; ');
      },
    }),
    _collect_end: fn({
      doc: "closes a collector; its records go on to the enclosing one, else to the task's count (unless dropped)",
      args: [arg('id', z.number().int()), arg('parent', z.number().int().optional()), arg('keep', z.boolean())],
      returns: '{ { name, passed, message }, ... }',
      run: ([id, parent, keep], ctx) => {
        const list = closeCollector(id);
        if (keep) for (const r of list) if (parent === undefined || !collect(parent, r)) ctx.reportAssertion(r);
        return list;
      },
    }),
    _eventually_plan: fn({
      doc: 'the timeout and interval of eventually, checked',
      args: [arg('opts', z.unknown())],
      returns: '{ started, timeout_ms, interval_ms }',
      run: ([opts], ctx) => {
        const [o] = parseArgs(
          moduleOf(ctx),
          'eventually',
          { doc: '', returns: '', run: () => undefined, args: [arg('opts', eventuallyOptions)] },
          [opts],
        ) as [z.output<typeof eventuallyOptions>];
        return { started: Date.now(), timeout_ms: o?.timeout ?? 30_000, interval_ms: o?.interval ?? 1_000 };
      },
    }),
    _eventually_wait: fn({
      doc: 'waits for the next attempt (false and how long it tried once the time is up); stops with the task',
      args: [arg('plan', z.object({ started: z.number(), timeout_ms: z.number(), interval_ms: z.number() }))],
      returns: 'boolean, string',
      run: async ([plan], ctx) => {
        const elapsed = Date.now() - plan.started;
        if (elapsed >= plan.timeout_ms) return returnsMany(false, formatDuration(elapsed));
        try {
          await abortableSleep(Math.min(plan.interval_ms, plan.timeout_ms - elapsed), ctx.signal);
        } catch {
          const cause = ctx.signal.reason as AbortCause | undefined;
          throw cause?.kind ? abortError(cause) : new SlothError('aborted', `${moduleOf(ctx)}.eventually: stopped with the task`);
        }
        return returnsMany(true);
      },
    }),
  };
}

/** The public functions of the checks. */
export function publicFunctions(checks: Record<string, CheckSpec>): Record<string, FunctionSpec> {
  return Object.fromEntries(Object.entries(checks).map(([name, spec]) => [name, publicFunction(name, spec)]));
}
