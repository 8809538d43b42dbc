import { readFile } from 'node:fs/promises';

/** Bytes received and sent by a machine since boot, summed over its interfaces but loopback. */
export interface NetCounters {
  rxBytes: bigint;
  txBytes: bigint;
}

/** Where Linux lists each interface's counters. */
export const PROC_NET_DEV = '/proc/net/dev';

/**
 * The totals of a /proc/net/dev text: per interface, "name: rx_bytes rx_packets ... (8 receive fields) tx_bytes ...",
 * after two header lines. Loopback (`lo`) is left out: it is the machine talking to itself. Lines that are not an
 * interface's (the headers, anything malformed) are skipped.
 */
export function parseNetDev(text: string): NetCounters {
  let rxBytes = 0n;
  let txBytes = 0n;
  for (const line of text.split('\n')) {
    // Interface names cannot hold ':'; old kernels glue a long first number to it ("eth0:123456789").
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const fields = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/);
    if (name === '' || name === 'lo' || fields.length < 16 || !fields.every((f) => /^\d+$/.test(f))) continue;
    rxBytes += BigInt(fields[0] as string);
    txBytes += BigInt(fields[8] as string);
  }
  // The contract's counters are 64-bit: a sum past that wraps, as a kernel counter does (readers see a reset).
  return { rxBytes: BigInt.asUintN(64, rxBytes), txBytes: BigInt.asUintN(64, txBytes) };
}

/** This machine's network counters, read from `path` (no shell); zero where it cannot be read (not Linux). */
export async function readNetCounters(path = PROC_NET_DEV): Promise<NetCounters> {
  try {
    return parseNetDev(await readFile(path, 'utf8'));
  } catch {
    return { rxBytes: 0n, txBytes: 0n };
  }
}
