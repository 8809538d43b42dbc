import {
  acquireLease,
  arg,
  describeHolder,
  fn,
  type ModuleCallContext,
  mapAwaitable,
  parseDuration,
  SlothError,
  STATE_LOCK_PREFIX,
  z,
} from '@sloth/core/internal';
import { lockNameArg } from './args.js';
import { dropLease, holdLease, holdsLease } from './held-locks.js';
import { leasesOf } from './state-access.js';

/** A held lock's lease; renewed while held, so it only matters when the holder dies. */
export const DEFAULT_LEASE_MS = 15_000;
/** How long lock() waits for a lock by default. */
export const DEFAULT_WAIT_MS = 30_000;

const durationSchema = z.union([z.number(), z.string()]).optional();
const leaseArg = arg(
  'ttl',
  durationSchema,
  `lease: seconds or a duration; a holder that dies loses the lock after it (default ${DEFAULT_LEASE_MS / 1000}s)`,
);
const waitArg = arg(
  'timeout',
  durationSchema,
  `how long to wait for the lock: seconds or a duration (default ${DEFAULT_WAIT_MS / 1000}s)`,
);

function ms(value: number | string | undefined, fallback: number, what: string, who: string): number {
  if (value === undefined) return fallback;
  try {
    const n = parseDuration(value, what);
    if (what === 'ttl' && n <= 0) throw new SlothError('invalid_argument', `the lock ttl must be more than 0, got ${value}`);
    return n;
  } catch (err) {
    if (err instanceof SlothError) throw new SlothError(err.code, `${who}: ${err.message}`, { hint: err.hint });
    throw err;
  }
}

async function lock(
  name: string,
  ttl: number | string | undefined,
  timeout: number | string | undefined,
  ctx: ModuleCallContext,
) {
  const who = `${ctx.fn}('${name}')`;
  const leases = leasesOf(ctx, who);
  const leaseMs = ms(ttl, DEFAULT_LEASE_MS, 'ttl', who);
  const waitMs = ms(timeout, DEFAULT_WAIT_MS, 'timeout', who);
  const leaseName = STATE_LOCK_PREFIX + name;
  try {
    const lease = await acquireLease(leases, leaseName, leaseMs, waitMs, ctx.signal);
    holdLease(leases, lease, leaseMs, ctx.signal, ctx.log);
    return lease.token;
  } catch (err) {
    if (!(err instanceof SlothError) || err.code !== 'timeout') throw err;
    const holder = await leases.holder(leaseName);
    const mine = holdsLease(leases, leaseName);
    throw new SlothError(
      'timeout',
      `${who}: still held${holder ? ` by ${describeHolder(holder)}` : ''} after waiting ${waitMs}ms`,
      {
        hint: mine
          ? 'this process already holds it: locks are not re-entrant (unlock it first, or do not nest with_lock on one name)'
          : 'wait for the holder to finish, or pass a longer timeout',
      },
    );
  }
}

export const lockFn = fn({
  doc:
    'Takes a named lock shared by every process on this data directory, waiting up to `timeout`. The lock is held until ' +
    'unlock, or until the task that took it ends; while held its lease is renewed, and a holder that dies loses it ' +
    'after the lease. Not re-entrant.',
  args: [lockNameArg, leaseArg, waitArg],
  returns: 'string: the token (pass it to unlock)',
  examples: ['local token = state.lock("deploy", "30s", "2m")\n-- ... critical section ...\nstate.unlock("deploy", token)'],
  run: ([name, ttl, timeout], ctx) => lock(name, ttl, timeout, ctx),
});

export const tryLock = fn({
  doc: 'Takes a named lock if it is free, without waiting.',
  args: [lockNameArg, leaseArg],
  returns: 'string|nil: the token, or nil when someone else holds it',
  examples: [
    'local token = state.try_lock("nightly-backup")\nif not token then log.info("backup already running") return true end',
  ],
  run: ([name, ttl], ctx) => {
    const who = `${ctx.fn}('${name}')`;
    const leases = leasesOf(ctx, who);
    const leaseMs = ms(ttl, DEFAULT_LEASE_MS, 'ttl', who);
    return mapAwaitable(leases.tryAcquire(STATE_LOCK_PREFIX + name, leaseMs), (lease) => {
      if (!lease) return undefined;
      holdLease(leases, lease, leaseMs, ctx.signal, ctx.log);
      return lease.token;
    });
  },
});

export const unlock = fn({
  doc: 'Releases a lock: the one with this token, or (without a token) the one this process holds.',
  args: [lockNameArg, arg('token', z.string().optional(), 'the token lock or try_lock returned')],
  returns: 'boolean: true if the lock was held with that token and is now free',
  examples: ['state.unlock("deploy", token)'],
  run: ([name, token], ctx) => dropLease(leasesOf(ctx, `${ctx.fn}('${name}')`), STATE_LOCK_PREFIX + name, token),
});

export const withLock = fn({
  doc:
    'Runs fn while holding a named lock (waiting up to `timeout` for it) and returns what fn returns. The lock is released ' +
    'when fn returns or raises; an error is raised again with its message. A holder that dies loses it after the lease.',
  args: [lockNameArg, arg('fn', z.unknown(), 'the critical section'), waitArg, leaseArg],
  returns: 'whatever fn returns',
  examples: [
    'state.with_lock("deployment_lock", function()\n    -- only one task, in any process, runs this at a time\n    return deploy_application()\nend, 30) -- wait up to 30 seconds',
  ],
  run: () => {
    throw new SlothError('internal', 'state.with_lock runs in Lua');
  },
  // In Lua: fn must be called from Lua (JS cannot await a Lua callback), and pcall guarantees the unlock.
  lua: `function(name, fn, timeout, ttl)
  if type(fn) ~= 'function' then
    error("state.with_lock: argument #2 (fn): expected function, got " .. type(fn), 2)
  end
  local got, token = pcall(M.lock, name, ttl, timeout)
  if not got then error(token, 2) end
  local r = table.pack(pcall(fn))
  if not r[1] then
    pcall(M.unlock, name, token)
    error(r[2], 0)
  end
  M.unlock(name, token)
  return table.unpack(r, 2, r.n)
end`,
});
