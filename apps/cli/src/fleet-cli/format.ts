import { type Agent, Agent_Status } from '@sloth/client';
import { formatDuration } from '@sloth/core';

/** "Active" / "Inactive". */
export function statusText(a: Agent): string {
  return a.status === Agent_Status.ACTIVE ? 'Active' : 'Inactive';
}

/** How long ago, for people: "2.0s ago", "never". */
export function agoText(ms: bigint | number, now = Date.now()): string {
  const t = Number(ms);
  return t > 0 ? `${formatDuration(Math.max(0, now - t))} ago` : 'never';
}

/** Labels as k=v, comma-separated. */
export function labelsText(labels: Record<string, string>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

/** Bytes for people: 1.5 GiB. */
export function bytesText(n: bigint | number): string {
  let v = Number(n);
  for (const unit of ['B', 'KiB', 'MiB', 'GiB', 'TiB']) {
    if (v < 1024 || unit === 'TiB') return unit === 'B' ? `${v} B` : `${v.toFixed(1)} ${unit}`;
    v /= 1024;
  }
  return `${v}`;
}

/** An agent for --output json (snake_case, ISO times). */
export function agentJson(a: Agent): Record<string, unknown> {
  const s = a.system;
  return {
    name: a.name,
    address: a.address,
    status: statusText(a).toLowerCase(),
    last_heartbeat: Number(a.lastHeartbeatMs) > 0 ? new Date(Number(a.lastHeartbeatMs)).toISOString() : null,
    registered_at: Number(a.registeredAtMs) > 0 ? new Date(Number(a.registeredAtMs)).toISOString() : null,
    version: a.version,
    labels: a.labels,
    running_work: a.runningWork,
    system: s
      ? {
          hostname: s.hostname,
          os: s.os,
          arch: s.arch,
          cpus: s.cpus,
          load: [s.load1, s.load5, s.load15],
          memory_total_bytes: Number(s.memoryTotalBytes),
          memory_free_bytes: Number(s.memoryFreeBytes),
          disk_total_bytes: Number(s.diskTotalBytes),
          disk_free_bytes: Number(s.diskFreeBytes),
          uptime_seconds: s.uptimeSeconds,
        }
      : null,
  };
}

/** One agent in detail, for people. */
export function agentDetails(a: Agent, now = Date.now()): string {
  const s = a.system;
  const lines: [string, string][] = [
    ['name', a.name],
    ['status', statusText(a)],
    ['address', a.address],
    ['last heartbeat', agoText(a.lastHeartbeatMs, now)],
    ['registered', agoText(a.registeredAtMs, now)],
    ['version', a.version || '?'],
    ['labels', labelsText(a.labels) || '-'],
    ['running work', String(a.runningWork)],
  ];
  if (s) {
    lines.push(
      ['host', `${s.hostname} (${s.os}/${s.arch}, ${s.cpus} cpus)`],
      ['load', `${s.load1.toFixed(2)} ${s.load5.toFixed(2)} ${s.load15.toFixed(2)}`],
      ['memory', `${bytesText(s.memoryFreeBytes)} free of ${bytesText(s.memoryTotalBytes)}`],
      ['disk', `${bytesText(s.diskFreeBytes)} free of ${bytesText(s.diskTotalBytes)}`],
      ['uptime', formatDuration(s.uptimeSeconds * 1000)],
    );
  }
  const width = Math.max(...lines.map(([k]) => k.length));
  return lines.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}
