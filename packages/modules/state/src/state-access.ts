import {
  type LeaseStore,
  type ModuleCallContext,
  parseDuration,
  type RunServices,
  SlothError,
  type StateStore,
} from '@sloth/core/internal';

/** A store of the run's services, opened on first use; a clear error when the caller has none or it cannot open. */
function serviceOf<K extends 'state' | 'leases'>(ctx: ModuleCallContext, key: K, who: string): NonNullable<RunServices[K]> {
  let store: RunServices[K];
  try {
    store = ctx.services?.[key];
  } catch (err) {
    // The store opens here; its error already says which file and what to do: it only gains the caller's name.
    if (err instanceof SlothError) throw new SlothError(err.code, `${who}: ${err.message}`, { hint: err.hint, cause: err });
    throw err;
  }
  if (!store) {
    throw new SlothError('store', `${who}: state needs a data directory, and this caller has none`, {
      hint: 'run workflows with `sloth-runner workflow run` (state is kept in --data-dir, default $SLOTH_HOME or ~/.sloth-runner)',
    });
  }
  return store as NonNullable<RunServices[K]>;
}

/** The run's state store. */
export function stateOf(ctx: ModuleCallContext, who = ctx.fn): StateStore {
  return serviceOf(ctx, 'state', who);
}

/** The run's lease store (state locks). */
export function leasesOf(ctx: ModuleCallContext, who = ctx.fn): LeaseStore {
  return serviceOf(ctx, 'leases', who);
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
