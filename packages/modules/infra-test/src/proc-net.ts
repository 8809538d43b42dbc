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
  const ports = new Set<number>();
  for (const table of [protocol, `${protocol}6`]) {
    let text: string;
    try {
      text = (await ctx.host.readFile(`/proc/net/${table}`)).toString('utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    for (const port of parseProcNet(text, protocol)) ports.add(port);
  }
  return ports;
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
