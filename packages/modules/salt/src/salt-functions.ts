import { arg, fn, luaList, luaTable, type ModuleCallContext, notRun, strictTable, toolJson, z } from '@sloth/core';
import { type RunOptions, runOptions, salt, saltArg, toolOf } from './salt-cli.js';

/** One state of a state run, as salt reports it. */
export interface StateResult {
  id: string;
  function: string;
  name: string;
  result: boolean | null;
  comment: string;
  changes: Record<string, unknown>;
}

/** The states of one minion's state run (salt's "file_|-id_|-name_|-managed" keys), in the order they ran. */
export function statesOf(ret: unknown): StateResult[] {
  if (ret === null || typeof ret !== 'object' || Array.isArray(ret)) return [];
  const entries = Object.entries(ret as Record<string, Record<string, unknown>>)
    .filter(([, v]) => v !== null && typeof v === 'object' && 'result' in v)
    .sort(([, a], [, b]) => Number(a.__run_num__ ?? 0) - Number(b.__run_num__ ?? 0));
  return entries.map(([key, v]) => {
    const [mod, id, name, f] = key.split('_|-');
    return {
      id: (v.__id__ as string) ?? id ?? key,
      function: `${mod}.${f}`,
      name: (v.name as string) ?? name ?? '',
      result: v.result as boolean | null,
      comment: Array.isArray(v.comment) ? v.comment.join('\n') : String(v.comment ?? ''),
      changes: (v.changes as Record<string, unknown>) ?? {},
    };
  });
}

/** salt's JSON, per minion ("local" for salt-call). */
function returns(
  ctx: ModuleCallContext,
  o: RunOptions,
  r: { success: boolean; stdout: string; stderr: string; exit_code: number | null; error?: string | undefined },
) {
  // A state run that failed exits non-zero but still prints its JSON: parse whenever there is some.
  return toolJson(ctx, toolOf(o), 'output', { ...r, success: true }) as Record<string, unknown>;
}

const callOptions = strictTable({
  fun: z.string().min(1),
  args: luaList(z.array(z.unknown())).optional(),
  kwargs: luaTable(z.record(z.string(), z.unknown())).optional(),
  check_mode: z.boolean().optional(),
  ...runOptions,
});

export const call = fn({
  doc:
    'Runs a salt execution function: salt-call --local (the default) or, with target, salt on a master. args and ' +
    'kwargs become its arguments (tables as JSON). The return is decoded from --out json: the value for salt-call, ' +
    'a table per minion for a target. In check mode it is not run (skipped = true) unless check_mode = false.',
  args: [arg('opts', luaTable(callOptions), '{ fun, args, kwargs, target, local, check_mode, timeout }')],
  returns: 'table: success, return, exit_code, stdout, stderr, error, skipped',
  examples: ['local r = salt.call({ fun = "pkg.version", args = { "nginx" } })\nlog.info(r["return"])'],
  run: async ([o], ctx) => {
    if (ctx.checkMode && o.check_mode !== false) {
      return notRun(ctx, false, { skipped: true });
    }
    const args = [...(o.args ?? []).map(saltArg), ...Object.entries(o.kwargs ?? {}).map(([k, v]) => `${k}=${saltArg(v)}`)];
    const r = await salt(ctx, o, o.fun, args);
    if (!r.success && !r.stdout.trim().startsWith('{')) return r;
    const all = returns(ctx, o, r);
    return { ...r, return: o.target !== undefined && o.local !== true ? all : all.local };
  },
});

const stateOptions = strictTable({
  state: z.string().min(1).optional(),
  test: z.boolean().optional(),
  pillar: luaTable(z.record(z.string(), z.unknown())).optional(),
  ...runOptions,
});

export const stateApply = fn({
  doc:
    'state.apply of a state (or the highstate), parsed from --out json into states ({ id, function, name, result, ' +
    'comment, changes } in the order they ran; per minion with a target). changed when any state has changes; ' +
    'success = false when any result is false. test = true (always in check mode) runs with test=True: nothing is ' +
    "applied and result is nil for what would change. Each state run is recorded in the run's stack.",
  args: [arg('opts', luaTable(stateOptions).optional(), '{ state, test, pillar, target, local, timeout }')],
  returns: 'table: success, changed, states (or minions = { id = states }), test, exit_code, stdout, stderr, error',
  examples: [
    'local r = salt.state_apply({ state = "nginx", pillar = { port = 8080 } })\nfor _, s in ipairs(r.states) do log.info(s.id .. ": " .. s.comment) end',
  ],
  run: async ([opts], ctx) => {
    const o = opts ?? {};
    const test = o.test === true || ctx.checkMode;
    const args = [
      ...(o.state ? [o.state] : []),
      ...(test ? ['test=True'] : []),
      ...(o.pillar ? [`pillar=${JSON.stringify(o.pillar)}`] : []),
    ];
    const r = await salt(ctx, o, 'state.apply', args);
    if (!r.stdout.trim().startsWith('{')) return { ...r, changed: false, states: [], test };
    const all = returns(ctx, o, r);
    const perMinion = Object.fromEntries(Object.entries(all).map(([m, ret]) => [m, statesOf(ret)]));
    const states = Object.values(perMinion).flat();
    // A minion that could not run the states returns a list of error strings instead.
    const errors = Object.entries(all)
      .filter(([, ret]) => Array.isArray(ret))
      .map(([m, ret]) => `${m}: ${(ret as unknown[]).join('; ')}`);
    const failed = states.filter((s) => s.result === false);
    const changed = states.some((s) => Object.keys(s.changes).length > 0 || (test && s.result === null));
    for (const s of states) {
      const did = Object.keys(s.changes).length > 0 || (test && s.result === null);
      ctx.reportResource({
        type: 'salt_state',
        name: `${s.function} ${s.id}`,
        fn: ctx.fn,
        changed: did,
        changes: did ? { state: { old: undefined, new: s.comment } } : {},
        checkMode: ctx.checkMode || test,
        record: test ? undefined : { function: s.function, result: s.result },
      });
    }
    const success = r.success && failed.length === 0 && errors.length === 0;
    const error = success ? undefined : [...errors, ...failed.map((s) => `${s.id}: ${s.comment}`)].join('\n') || r.error;
    const shaped = o.target !== undefined && o.local !== true ? { minions: perMinion } : { states };
    return { ...r, success, error, changed, test, ...shaped };
  },
});
