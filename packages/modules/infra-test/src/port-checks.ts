import { arg, z } from '@sloth/core';
import { check } from './check.js';
import { openPorts } from './proc-net.js';

export const portArg = arg(
  'port',
  z.number().int().min(1, 'expected a port from 1 to 65535').max(65535, 'expected a port from 1 to 65535'),
  'a port number',
);

export const portIsListening = check({
  doc: 'Passes when a socket listens on the port, TCP or UDP, on any address (/proc/net/tcp, tcp6, udp, udp6; no shell, no root needed).',
  args: [portArg],
  examples: ['infra_test.port_is_listening(80)'],
  check: async ([port], ctx) => {
    const [tcp, udp] = await Promise.all([openPorts(ctx, 'tcp'), openPorts(ctx, 'udp')]);
    if (tcp.has(port) || udp.has(port)) return undefined;
    return `nothing listens on TCP or UDP port ${port}`;
  },
});

export const portIsTcp = check({
  doc: 'Passes when a TCP socket listens on the port (IPv4 or IPv6).',
  args: [portArg],
  examples: ['infra_test.port_is_tcp(443)'],
  check: async ([port], ctx) => ((await openPorts(ctx, 'tcp')).has(port) ? undefined : `nothing listens on TCP port ${port}`),
});

export const portIsUdp = check({
  doc: 'Passes when a UDP socket is bound to the port (IPv4 or IPv6).',
  args: [portArg],
  examples: ['infra_test.port_is_udp(53)'],
  check: async ([port], ctx) => ((await openPorts(ctx, 'udp')).has(port) ? undefined : `nothing is bound to UDP port ${port}`),
});
