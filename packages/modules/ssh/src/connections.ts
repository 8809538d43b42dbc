import { homedir } from 'node:os';
import { join } from 'node:path';
import { type Host, type ModuleCallContext, z } from '@sloth/core';
import { ConnectionPool, type ConnectOptions, connectOptions, describeTarget, SshFleet, sshHost } from '@sloth/ssh';

/** A connection as Lua holds it: an id (its options, secrets included, stay on this side) and where it goes. */
export interface ConnectionRecord {
  id: number;
  host: string;
  port: number;
  user: string | undefined;
}

const opened = new Map<number, ConnectOptions>();
let nextId = 0;

/** Remembers checked connect options and hands back what Lua keeps of them. */
export function recordConnection(options: ConnectOptions): ConnectionRecord {
  const id = ++nextId;
  opened.set(id, options);
  return { id, host: options.host, port: options.port, user: options.user };
}

/** A connection argument: what ssh.connect returned, or connect options given directly (the seed's call form). */
export const connectionArg = z.unknown().transform((value, zctx): ConnectOptions => {
  if (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as { id?: unknown }).id === 'number'
  ) {
    const found = opened.get((value as { id: number }).id);
    if (found) return found;
    zctx.addIssue({ code: 'custom', message: 'not a connection made by ssh.connect in this process' });
    return z.NEVER;
  }
  const parsed = connectOptions.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  zctx.addIssue({
    code: 'custom',
    message: `${issue?.path.length ? `${issue.path.join('.')}: ` : ''}${issue?.message ?? 'expected a connection or connect options'}`,
  });
  return z.NEVER;
});

// Outside a workflow run (an event hook, a goroutine's thread) there is no run pool: one per process.
let processPool: ConnectionPool | undefined;

/** The run's connection pool (shared with SSH targets), else this process's. */
export function poolOf(ctx: ModuleCallContext): ConnectionPool {
  const remote = ctx.services?.remote;
  if (remote instanceof SshFleet) return remote.pool;
  const dataDir = ctx.services?.dataDir ?? (process.env.SLOTH_HOME || join(homedir(), '.sloth-runner'));
  processPool ??= new ConnectionPool(join(dataDir, 'known_hosts'));
  return processPool;
}

/** The host interface over a connection (for facts and changes reported under its name). */
export function hostOf(ctx: ModuleCallContext, options: ConnectOptions): Host {
  const pool = poolOf(ctx);
  return sshHost(describeTarget(options), (signal) => pool.get(options, signal), ctx);
}
