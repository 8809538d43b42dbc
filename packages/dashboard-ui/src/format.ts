/** A duration as people read it: 850 ms, 12.3 s, 4 m 05 s, 2 h 10 m. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} m ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} m`;
}

/** A time of the epoch in ms, as this browser's locale writes date and time ('' for 0). */
export function formatTime(ms: bigint | number): string {
  const n = Number(ms);
  return n === 0 ? '' : new Date(n).toLocaleString();
}

/** A size in bytes as people read it: 512 B, 3.2 KiB, 7.9 GiB. */
export function formatBytes(bytes: bigint | number): string {
  let n = Number(bytes);
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${n.toFixed(1)} ${units[i]}`;
}
