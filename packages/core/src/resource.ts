import { isDeepStrictEqual } from 'node:util';
import type { z } from 'zod';
import { SlothError } from './errors.js';
import type { ModuleCallContext } from './module-sdk.js';

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
}

/** What converging one resource found and did (reported to the task through `ctx.reportResource`). */
export interface ResourceOutcome {
  type: string;
  name: string;
  /** Something differed: it was changed, or in check mode would have been. */
  changed: boolean;
  changes: Changes;
  /** Check mode: nothing was applied. */
  checkMode: boolean;
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
  if (changed && !ctx.checkMode) await resource.apply(ctx, name, changes, want);
  const outcome: ResourceOutcome = { type: resource.type, name, changed, changes, checkMode: ctx.checkMode };
  ctx.reportResource(outcome);
  return outcome;
}
