import { isDeepStrictEqual } from 'node:util';
import type { z } from 'zod';
import { SlothError } from './errors.js';
import type { ModuleCallContext } from './module-sdk.js';
import { textDiff } from './text-diff.js';

/** What differs, per property: its current value and the desired one (`old` is undefined when it has none). */
export type Changes = Record<string, { old: unknown; new: unknown }>;

/**
 * Something a configuration module manages on a host (a file, a package, a user): an identity (type and name), a
 * schema of its desired state, a fact that reads its actual state, a diff, and an apply that makes the difference
 * true. `converge` puts them together; check mode stops before apply.
 */
export interface ResourceSpec<D extends z.ZodType = z.ZodType, A extends object = Record<string, unknown>> {
  /** The resource type ("file"); with the name, its identity. */
  type: string;
  /** The schema of the desired state. */
  desired: D;
  /** The actual state of the named resource, or undefined when it does not exist. A fact: changes nothing. */
  read(ctx: ModuleCallContext, name: string): Promise<A | undefined>;
  /** What differs between desired and actual; default `diffState`. */
  diff?: ((desired: z.output<D>, actual: A | undefined) => Changes) | undefined;
  /** Makes `changes` true on `ctx.host`; only called when something differs and not in check mode. */
  apply(ctx: ModuleCallContext, name: string, changes: Changes, desired: z.output<D>): Promise<void>;
  /**
   * For text content: the content before and after (undefined for an absent file), from which converge makes the
   * unified diff of a change. Resources without content leave it out.
   */
  content?: ((desired: z.output<D>, actual: A | undefined) => ContentPair | undefined) | undefined;
  /**
   * What the run's stack records of the resource once it is in its desired state (hashes, modes, owners: never the
   * content or a secret), so `stack drift` can tell when it is changed behind the workflow's back. Not recorded in
   * check mode.
   */
  record?: ((name: string, desired: z.output<D>) => Record<string, unknown>) | undefined;
}

/** The content of a resource before and after a change; undefined when it does not exist. */
export interface ContentPair {
  before: string | Uint8Array | undefined;
  after: string | Uint8Array | undefined;
}

/** How one call wants its change reported. */
export interface ConvergeOptions {
  /** false: no diff of the content (it holds a secret); the report says it was hidden. Default true. */
  diff?: boolean | undefined;
}

/** What converging one resource found and did (reported to the task through `ctx.reportResource`). */
export interface ResourceOutcome {
  type: string;
  /** Its identity within the type: the target (a path, a package, a user name). */
  name: string;
  /** The function that converged it, qualified ("file_ops.copy"); empty outside a module call. */
  fn: string;
  /** Something differed: it was changed, or in check mode would have been. */
  changed: boolean;
  /** Per property, the old and new value (content is a hash, never the text). */
  changes: Changes;
  /** A unified diff of the content, when it changed and is text. */
  diff?: string | undefined;
  /** Why a changed content has no diff (binary, too large, hidden by `diff = false`). */
  diffSkipped?: string | undefined;
  /** Check mode: nothing was applied. */
  checkMode: boolean;
  /** The properties the run's stack records for it (see ResourceSpec.record); absent in check mode. */
  record?: Record<string, unknown> | undefined;
  /** Where it was converged: the agent or SSH host; absent on the machine that runs the workflow. */
  host?: string | undefined;
}

/** Declares a resource; the generic types tie read, diff and apply to the desired-state schema. */
export function defineResource<D extends z.ZodType, A extends object>(spec: ResourceSpec<D, A>): ResourceSpec<D, A> {
  if (!/^[a-z][a-z0-9_]*$/.test(spec.type)) throw new Error(`invalid resource type '${spec.type}'`);
  return spec;
}

/**
 * The default diff: each property the desired state sets (not undefined) whose actual value is not deeply equal.
 * Properties it leaves out are not managed; a resource that does not exist has no actual values.
 */
export function diffState(desired: object, actual: object | undefined): Changes {
  const changes: Changes = {};
  const current = (actual ?? {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(desired)) {
    if (value === undefined || isDeepStrictEqual(current[key], value)) continue;
    changes[key] = { old: current[key], new: value };
  }
  return changes;
}

/**
 * Brings one resource to its desired state: reads it, diffs, and applies the changes unless nothing differs or the
 * context is in check mode. The outcome is reported to the context (the task's `changed`) and returned.
 */
export async function converge<D extends z.ZodType, A extends object>(
  resource: ResourceSpec<D, A>,
  name: string,
  desired: z.input<D>,
  ctx: ModuleCallContext,
  options: ConvergeOptions = {},
): Promise<ResourceOutcome> {
  const parsed = resource.desired.safeParse(desired);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue && issue.path.length > 0 ? ` field '${issue.path.join('.')}'` : '';
    throw new SlothError('invalid_argument', `${ctx.fn}: ${resource.type} '${name}':${field} ${issue?.message ?? 'invalid'}`);
  }
  const want = parsed.data as z.output<D>;
  const actual = await resource.read(ctx, name);
  const changes = resource.diff ? resource.diff(want, actual) : diffState(want as object, actual);
  const changed = Object.keys(changes).length > 0;
  const outcome: ResourceOutcome = { type: resource.type, name, fn: ctx.fn, changed, changes, checkMode: ctx.checkMode };
  // A host reached from here (SSH) is named on the change; an agent names itself when it reports back.
  if (ctx.host.name !== 'local') outcome.host = ctx.host.name;
  if (changed) {
    const pair = resource.content?.(want, actual);
    if (pair && options.diff === false) outcome.diffSkipped = 'hidden (diff = false)';
    else if (pair) {
      const { diff, skipped } = textDiff(name, pair.before, pair.after);
      if (diff !== undefined) outcome.diff = diff;
      if (skipped !== undefined) outcome.diffSkipped = skipped;
    }
    if (!ctx.checkMode) await resource.apply(ctx, name, changes, want);
  }
  if (!ctx.checkMode && resource.record) outcome.record = resource.record(name, want);
  ctx.reportResource(outcome);
  return outcome;
}

/**
 * What a configuration function returns to Lua: `changed`, `changes` ({ prop = { old, new } }), `diff` (nil when none)
 * and `diff_skipped`, then the function's own fields.
 */
export function changeResult(outcome: ResourceOutcome, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    changed: outcome.changed,
    changes: outcome.changes,
    diff: outcome.diff,
    diff_skipped: outcome.diffSkipped,
    check_mode: outcome.checkMode,
    ...fields,
  };
}
