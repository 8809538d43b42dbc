import { describeHolder, SlothError } from '@sloth/core/internal';
import { leaseRepo } from './leases.js';
import type { Store } from './open-store.js';
import { type StackRecord, stackRepo } from './stack-repo.js';
import { stackLockName } from './stack-run.js';

/** What a refused import should be given instead. */
const IMPORT_HINT = 'import a file written by `sloth-runner stack export NAME > FILE`';

/**
 * Deletes a stack and everything recorded for it (`stack delete`, and the dashboard's): not_found for an unknown one,
 * refused while a run holds its lock (it would write to a stack that is gone).
 */
export function deleteIdleStack(store: Store, name: string): void {
  const repo = stackRepo(store);
  repo.getStack(name);
  const holder = leaseRepo(store).holder(stackLockName(name));
  if (holder) {
    throw new SlothError('usage', `stack '${name}' is in use by a run: ${describeHolder(holder)}`, {
      hint: `wait for it to finish; if that process is gone: sloth-runner stack lock force-unlock ${name}`,
    });
  }
  repo.deleteStack(name);
}

/** A stack as the JSON text `stack export` prints (without the final newline). */
export function stackExportJson(store: Store, name: string): string {
  return JSON.stringify(stackRepo(store).exportStack(name), null, 2);
}

/**
 * Creates a stack from the text of an export document (`stack import`, and the dashboard's); `source` names it in
 * errors (a file path). A text that is not JSON, or not such a document, is a usage error saying so.
 */
export function importStackJson(
  store: Store,
  text: string,
  source: string,
  options: { as?: string | undefined; replace?: boolean | undefined } = {},
): StackRecord {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new SlothError('usage', `${source} is not JSON: ${(err as Error).message}`, { hint: IMPORT_HINT });
  }
  return stackRepo(store).importStack(doc, options);
}
