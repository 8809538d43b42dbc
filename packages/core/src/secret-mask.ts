/**
 * The secret values this process has read (secret.get, or given to an agent for a delegated task), and the one
 * function that hides them: each occurrence, also inside a longer string, becomes `***`.
 *
 * Masking happens where text leaves the process, not where it is made, so that a task can still use the value (pass
 * it to a command, a dependent task) while nothing shown or stored holds it. The places that call it, and what each
 * covers:
 * - runWorkflow (core): every RunEvent before the observer sees it and the RunResult it returns: task log lines,
 *   diffs, task errors and outputs, so the renderers, `--output json`, the engine's events and the stack's record.
 * - encodeEventData (store-sqlite): the data of every event stored (event.dispatch, hooks' events, agents' outboxes).
 * - EventRepo.finish (store-sqlite): what hook executions record (their output and error).
 * - the hook runner's log (events): the lines hooks log.
 * - the CLI's line sink and renderers: every line printed, load-time log lines included.
 * - the CLI's error handler: the message and hint of the error a command fails with.
 * - the agent's task runner: what a delegated task logs and returns on the agent.
 * - the stack and state modules: the properties, attributes and outputs a workflow records, and the values it stores
 *   (so `stack show`, `stack export`, `state get` and the dashboard never hold a secret; a later run reads `***` back).
 */

const MASK = '***';
/** Each form masked, with how many registrations hold it (an agent releases a task's secrets when it ends). */
const values = new Map<string, number>();
/** The values longest first, so a secret that contains another is masked whole. */
let ordered: string[] = [];

/**
 * Masks `value` (and its JSON-escaped form, and each line of a multi-line one) in everything that leaves the process
 * from now on; the function returned stops that (for secrets held for one task only).
 */
export function registerSecret(value: string): () => void {
  const forms = new Set([value, JSON.stringify(value).slice(1, -1)]);
  // A multi-line value (a key, a certificate) is printed line by line by commands: each line is masked too.
  if (value.includes('\n')) for (const line of value.split(/\r?\n/)) if (line.trim().length >= 4) forms.add(line.trim());
  forms.delete('');
  for (const form of forms) values.set(form, (values.get(form) ?? 0) + 1);
  reorder();
  let released = false;
  return () => {
    if (released) return;
    released = true;
    for (const form of forms) {
      const n = (values.get(form) ?? 1) - 1;
      if (n <= 0) values.delete(form);
      else values.set(form, n);
    }
    reorder();
  };
}

function reorder(): void {
  ordered = [...values.keys()].sort((a, b) => b.length - a.length);
}

/** True once any secret was registered (the maskers skip all work until then). */
export function hasSecrets(): boolean {
  return ordered.length > 0;
}

/** `text` with every registered secret replaced by `***`. */
export function maskSecrets(text: string): string {
  if (ordered.length === 0) return text;
  let out = text;
  for (const v of ordered) if (out.includes(v)) out = out.split(v).join(MASK);
  return out;
}

/**
 * `value` with every string in it masked (object keys included), as a copy; the value itself when no secret was
 * registered or none occurs in it. Plain objects and arrays are walked; other objects (Dates...) are kept.
 */
export function maskDeep<T>(value: T): T {
  if (ordered.length === 0) return value;
  return walk(value, 0) as T;
}

function walk(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return maskSecrets(value);
  if (value === null || typeof value !== 'object' || depth > 64) return value;
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((v) => {
      const m = walk(v, depth + 1);
      if (m !== v) changed = true;
      return m;
    });
    return changed ? out : value;
  }
  if (value instanceof Error) return maskError(value);
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const key = maskSecrets(k);
    const m = walk(v, depth + 1);
    if (m !== v || key !== k) changed = true;
    out[key] = m;
  }
  return changed ? out : value;
}

/** An error with its message (and hint, stack) masked, in place: errors are thrown once, on their way out. */
export function maskError<E extends Error>(err: E): E {
  if (ordered.length === 0) return err;
  const e = err as E & { hint?: string };
  try {
    e.message = maskSecrets(e.message);
    if (typeof e.stack === 'string') e.stack = maskSecrets(e.stack);
    if (typeof e.hint === 'string') Object.defineProperty(e, 'hint', { value: maskSecrets(e.hint) });
  } catch {
    // A frozen error keeps its text; the caller masks what it prints.
  }
  return err;
}

/** Forgets every registered secret (tests). */
export function clearSecrets(): void {
  values.clear();
  ordered = [];
}
