import { type ModuleCallContext, parseDuration, SlothError } from '@sloth/core';
import { type StateRepo, type Store, stateRepo, storeError } from '@sloth/core/store';

/** The run's Store, opened on first use; a clear error when the caller has no data directory or it cannot be opened. */
export function storeOf(ctx: ModuleCallContext, who = ctx.fn): Store {
  let store: Store | undefined;
  try {
    store = ctx.services?.store;
  } catch (err) {
    // The lazy store opens here; a corrupt or read-only file must say so, not surface as a bare SQLite error.
    const mapped = storeError(err, 'sloth.db in the data directory');
    if (mapped instanceof SlothError)
      throw new SlothError(mapped.code, `${who}: ${mapped.message}`, { hint: mapped.hint, cause: err });
    throw mapped;
  }
  if (!store) {
    throw new SlothError('store', `${who}: state needs a data directory, and this caller has none`, {
      hint: 'run workflows with `sloth-runner workflow run` (state is kept in --data-dir, default $SLOTH_HOME or ~/.sloth-runner)',
    });
  }
  return store;
}

/** The state repository of the run's Store. */
export function stateOf(ctx: ModuleCallContext): StateRepo {
  return stateRepo(storeOf(ctx));
}

/** A ttl argument (seconds, or a duration like "1h") in milliseconds; undefined stays undefined (no expiry). */
export function ttlMs(ttl: number | string | undefined, who: string): number | undefined {
  if (ttl === undefined) return undefined;
  try {
    return parseDuration(ttl, 'ttl');
  } catch (err) {
    if (err instanceof SlothError) throw new SlothError(err.code, `${who}: ${err.message}`, { hint: err.hint });
    throw err;
  }
}
