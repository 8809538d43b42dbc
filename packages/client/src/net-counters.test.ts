import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import { PROC_NET_DEV, parseNetDev, readNetCounters } from './net-counters.js';

const fixture = (name: string) => readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8');

describe('parseNetDev', () => {
  it('sums received and sent bytes over every interface but loopback (a Linux 6 host with a bridge and a veth)', () => {
    // eth0 + ifb0 + br-… + veth… + wlp2s0; lo's 218798369 bytes each way are left out.
    expect(parseNetDev(fixture('proc-net-dev-linux6.txt'))).toEqual({
      rxBytes: 652682748n + 0n + 1204n + 88211n + 48151623420n,
      txBytes: 1875707n + 0n + 306n + 120544n + 5123456789n,
    });
  });

  it('reads a first counter glued to the name (older kernels) and counters past 32 bits', () => {
    expect(parseNetDev(fixture('proc-net-dev-glued.txt'))).toEqual({ rxBytes: 4294967296n, txBytes: 987654321n });
  });

  it('skips what is not an interface line, and gives zero for a text without one', () => {
    expect(parseNetDev('')).toEqual({ rxBytes: 0n, txBytes: 0n });
    expect(parseNetDev('eth0: 1 2 3\nbogus: a b c d e f g h i j k l m n o p\n: 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1')).toEqual({
      rxBytes: 0n,
      txBytes: 0n,
    });
  });

  it('wraps a sum past 64 bits as a counter does', () => {
    const line = (name: string, rx: string) => `${name}: ${rx} 0 0 0 0 0 0 0 5 0 0 0 0 0 0 0`;
    const max = (2n ** 64n - 1n).toString();
    expect(parseNetDev([line('eth0', max), line('eth1', '3')].join('\n'))).toEqual({ rxBytes: 2n, txBytes: 10n });
  });
});

describe('readNetCounters', () => {
  it('reads this machine’s /proc/net/dev as parseNetDev does', async () => {
    const external = Object.values(networkInterfaces()).some((addrs) => addrs?.some((a) => !a.internal));
    const before = parseNetDev(readFileSync(PROC_NET_DEV, 'utf8'));
    const now = await readNetCounters();
    // Counters only grow between the two reads.
    expect(now.rxBytes).toBeGreaterThanOrEqual(before.rxBytes);
    expect(now.txBytes).toBeGreaterThanOrEqual(before.txBytes);
    if (external) expect(now.rxBytes + now.txBytes).toBeGreaterThan(0n);
  });

  it('gives zero where the file cannot be read (not Linux)', async () => {
    expect(await readNetCounters('/no/such/proc/net/dev')).toEqual({ rxBytes: 0n, txBytes: 0n });
  });
});
