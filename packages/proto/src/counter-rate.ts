// How the contract's cumulative counters (SystemInfo's and AgentMetricsSample's net_rx_bytes/net_tx_bytes) read as a
// rate: one copy for the CLI's `agent metrics` and the dashboard's charts.

/**
 * Units per second between two readings of a counter `ms` apart; null where there is no rate: a reading of 0 (not
 * reported), readings not in time order, or a counter lower than before (a reboot, a removed interface, a wrap),
 * which is a gap, not a negative spike.
 */
export function counterRate(before: number, after: number, ms: number): number | null {
  if (before <= 0 || after <= 0 || ms <= 0 || after < before) return null;
  return ((after - before) * 1000) / ms;
}
