import type { ControlClient, MasterConnection } from '@sloth/client';
// Not the package's index: a run that reaches no master should not load the RPC stack.
import { DEFAULT_MASTER_PORT, looksLikeAddress, readPem, resolveToken } from '@sloth/client/connection';
import { didYouMean, SlothError } from '@sloth/core';
import { defaultDataDir } from '@sloth/store-sqlite';
import { readMasters } from './masters-file.js';

export interface MasterFlags {
  master?: string | undefined;
  token?: string | undefined;
  'token-file'?: string | undefined;
  ca?: string | undefined;
  'data-dir'?: string | undefined;
}

/** The master address a command talks to: --master (a saved name or an address), $SLOTH_MASTER, the default saved master, or 127.0.0.1:50053. */
export function resolveMasterAddress(flags: MasterFlags, env: NodeJS.ProcessEnv = process.env): string {
  const dataDir = flags['data-dir'] ?? defaultDataDir(env);
  const wanted = flags.master ?? env.SLOTH_MASTER;
  const saved = readMasters(dataDir);
  if (wanted === undefined || wanted === '') {
    const def = saved.masters.find((m) => m.name === saved.default);
    return def?.address ?? `127.0.0.1:${DEFAULT_MASTER_PORT}`;
  }
  const named = saved.masters.find((m) => m.name === wanted);
  if (named) return named.address;
  if (looksLikeAddress(wanted)) return wanted;
  throw new SlothError(
    'not_found',
    `no saved master named '${wanted}'${didYouMean(
      wanted,
      saved.masters.map((m) => m.name),
    )}`,
    {
      hint: 'save it with `sloth-runner master add NAME HOST:PORT`, or pass an address (HOST:PORT)',
    },
  );
}

/** True when a master was named (--master, $SLOTH_MASTER) or a default one is saved; the loopback fallback does not count. */
export function masterConfigured(flags: MasterFlags, env: NodeJS.ProcessEnv = process.env): boolean {
  if ((flags.master ?? env.SLOTH_MASTER ?? '') !== '') return true;
  const saved = readMasters(flags['data-dir'] ?? defaultDataDir(env));
  return saved.masters.some((m) => m.name === saved.default);
}

/** Everything needed to reach the master of a command: address, token and CA. */
export function masterConnection(flags: MasterFlags, env: NodeJS.ProcessEnv = process.env): MasterConnection {
  return {
    address: resolveMasterAddress(flags, env),
    token: resolveToken({ token: flags.token, tokenFile: flags['token-file'], env }),
    ca: flags.ca === undefined ? undefined : readPem(flags.ca, 'the CA file'),
  };
}

/** Calls the master's ControlService; failures become errors that say what to check (address, token, agent name). */
export async function withControl<T>(
  flags: MasterFlags,
  fn: (client: ControlClient, conn: { address: string; https: boolean }) => Promise<T>,
): Promise<T> {
  const conn = masterConnection(flags);
  const { ControlService, createClient, fromRpcError, masterTransport } = await import('@sloth/client');
  const t = masterTransport(conn);
  try {
    return await fn(createClient(ControlService, t.transport), { address: conn.address, https: t.baseUrl.startsWith('https:') });
  } catch (err) {
    throw fromRpcError(err, conn.address, t.baseUrl.startsWith('https:'));
  } finally {
    // The HTTP/2 session would otherwise linger until it idles out.
    t.close();
  }
}
