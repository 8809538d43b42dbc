import type { ModuleCallContext } from '@sloth/core';
import { fact } from './facts-memo.js';

/** The kernel's TCP state number of a listening socket (include/net/tcp_states.h: TCP_LISTEN). */
const TCP_LISTEN = '0A';

/**
 * The local ports of sockets in /proc/net/<table> (tcp, tcp6, udp, udp6) of the host's network namespace: TCP ones
 * in LISTEN, every bound UDP one. A table the kernel does not have (IPv6 disabled) counts as empty. Read once for a run
 * of checks (see fact).
 */
export function openPorts(ctx: ModuleCallContext, protocol: 'tcp' | 'udp'): Promise<Set<number>> {
  return fact(ctx, `ports/${protocol}`, () => readOpenPorts(ctx, protocol));
}

async function readOpenPorts(ctx: ModuleCallContext, protocol: 'tcp' | 'udp'): Promise<Set<number>> {
  // Both tables at once: the kernel writes each out socket by socket, which takes a while on a busy host.
  const tables = await Promise.all([protocol, `${protocol}6`].map((table) => readTable(ctx, table)));
  return new Set(tables.flatMap((text) => parseProcNet(text, protocol)));
}

/** A /proc/net table's text; empty when the kernel does not have it (IPv6 disabled). */
async function readTable(ctx: ModuleCallContext, table: string): Promise<string> {
  try {
    return (await ctx.host.readFile(`/proc/net/${table}`)).toString('utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
}

/** The local ports of a /proc/net table's lines: "sl local_address rem_address st ..." (addresses as HEXIP:HEXPORT). */
export function parseProcNet(text: string, protocol: 'tcp' | 'udp'): number[] {
  const ports: number[] = [];
  for (const line of text.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    const local = fields[1];
    const state = fields[3];
    if (!local || !state) continue;
    if (protocol === 'tcp' && state !== TCP_LISTEN) continue;
    const port = Number.parseInt(local.slice(local.lastIndexOf(':') + 1), 16);
    if (port > 0) ports.push(port);
  }
  return ports;
}
