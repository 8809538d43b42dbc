import { type ArgSpec, arg, type FunctionSpec, fn, type ModuleCallContext, SlothError, z } from '@sloth/core/internal';

/** What a check found: undefined when it holds, else why not (a sentence without the function's name). */
export type Verdict = string | undefined;

/** One infra_test assertion: its documentation, its arguments (the agent, added last, is not among them), the check. */
export interface CheckSpec {
  doc: string;
  args: readonly ArgSpec[];
  examples: string[];
  // biome-ignore lint/suspicious/noExplicitAny: each check's arguments are typed by its own schemas
  check: (args: any[], ctx: ModuleCallContext) => Promise<Verdict>;
}

/** Declares a check; `args` typed from the schemas as `fn` does. */
export function check<const A extends readonly ArgSpec[]>(spec: {
  doc: string;
  args: A;
  examples: string[];
  check: (
    args: { [K in keyof A]: A[K] extends ArgSpec<infer S> ? z.output<S> : never },
    ctx: ModuleCallContext,
  ) => Promise<Verdict>;
}): CheckSpec {
  return spec as unknown as CheckSpec;
}

/** The optional last argument of every check. */
export const agentArg = arg(
  'agent',
  z.string().min(1, 'expected an agent name').optional(),
  'an agent to run the check on, through the run\'s master, or a host reached over SSH (its verdict ends with "(on AGENT)")',
);

/** How many arguments `_check` passes on: more than any check takes, so that too many is the check's own error. */
export const MAX_RAW_ARGS = 8;

/**
 * The public function of a check, as `modules list` and the README show it. It runs through a Lua wrapper that
 * tail-calls `_check` (so a failure names the caller's line) with the collector of the soft or eventually block it is
 * in, if any, and its raw arguments.
 */
export function publicFunction(name: string, spec: CheckSpec): FunctionSpec {
  return fn({
    doc: spec.doc,
    args: [...spec.args, agentArg],
    returns: 'true; inside infra_test.soft or eventually: true, or false and why',
    examples: spec.examples,
    run: () => {
      throw new SlothError('internal', `infra_test.${name} runs through its Lua wrapper`);
    },
    lua: `function(...) return M._check(${JSON.stringify(name)}, M._lua.collector(), select('#', ...), ...) end`,
  });
}

/** Renders a call for reports: `infra_test.port_is_listening(80)`. */
export function callText(name: string, args: readonly unknown[]): string {
  const shown = args.map((a) => (typeof a === 'string' ? JSON.stringify(a) : a === undefined || a === null ? 'nil' : String(a)));
  while (shown.at(-1) === 'nil') shown.pop();
  return `infra_test.${name}(${shown.join(', ')})`;
}
