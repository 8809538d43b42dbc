import { create } from '@bufbuild/protobuf';
import { type SystemInfo, SystemInfoSchema } from '@sloth/proto';

const BIG = ['memoryTotalBytes', 'memoryFreeBytes', 'diskTotalBytes', 'diskFreeBytes', 'netRxBytes', 'netTxBytes'] as const;

/** A SystemInfo as plain JSON (its 64-bit fields as numbers), for the store and for tables. */
export function systemToJson(s: SystemInfo | undefined): Record<string, unknown> {
  if (!s) return {};
  const out: Record<string, unknown> = {
    hostname: s.hostname,
    os: s.os,
    arch: s.arch,
    cpus: s.cpus,
    load1: s.load1,
    load5: s.load5,
    load15: s.load15,
    uptimeSeconds: s.uptimeSeconds,
  };
  for (const k of BIG) out[k] = Number(s[k]);
  return out;
}

/** The SystemInfo stored as JSON, back as a message (missing or odd fields become zero). */
export function systemFromJson(json: Record<string, unknown>): SystemInfo {
  const num = (k: string) => (typeof json[k] === 'number' && Number.isFinite(json[k]) ? (json[k] as number) : 0);
  const str = (k: string) => (typeof json[k] === 'string' ? (json[k] as string) : '');
  return create(SystemInfoSchema, {
    hostname: str('hostname'),
    os: str('os'),
    arch: str('arch'),
    cpus: Math.max(0, Math.trunc(num('cpus'))),
    load1: num('load1'),
    load5: num('load5'),
    load15: num('load15'),
    uptimeSeconds: num('uptimeSeconds'),
    memoryTotalBytes: BigInt(Math.max(0, Math.trunc(num('memoryTotalBytes')))),
    memoryFreeBytes: BigInt(Math.max(0, Math.trunc(num('memoryFreeBytes')))),
    diskTotalBytes: BigInt(Math.max(0, Math.trunc(num('diskTotalBytes')))),
    diskFreeBytes: BigInt(Math.max(0, Math.trunc(num('diskFreeBytes')))),
    netRxBytes: BigInt(Math.max(0, Math.trunc(num('netRxBytes')))),
    netTxBytes: BigInt(Math.max(0, Math.trunc(num('netTxBytes')))),
  });
}
