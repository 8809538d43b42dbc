import { isIP } from 'node:net';
import { DEFAULT_MASTER_PORT } from '@sloth/client';
import { type ModuleSpec, SlothError } from '@sloth/core';
import { z } from 'zod';
import { DEFAULT_REPORT_TIMEOUT_MS } from './run-reports.js';
import type { ScheduleRules } from './schedule-service.js';

/** Everything a master needs to start. */
export interface MasterOptions {
  /** 0 picks a free port (tests); the port in use is in the started master's `url`. */
  port: number;
  bind: string;
  dataDir: string;
  /** PEM certificate chain and key: the master serves HTTPS (HTTP/2 over TLS). */
  tlsCert?: string | undefined;
  tlsKey?: string | undefined;
  /** Agents and the CLI must send it as `authorization: Bearer <token>`. */
  token?: string | undefined;
  /** Allows a master bound beyond loopback without a token. */
  insecure: boolean;
  /** How often agents heartbeat; an agent silent for `missedHeartbeats` intervals is Inactive. */
  heartbeatIntervalMs: number;
  missedHeartbeats: number;
  /** Largest message accepted from a client; bigger ones are refused with resource_exhausted. */
  readMaxBytes: number;
  /** Run the hooks of the master's data directory on events (default true). */
  hooks: boolean;
  /** The modules those hooks get, and the dashboard's drift check (the CLI gives the built-in ones); none by default. */
  modules: ModuleSpec[];
  /** How schedules are checked when changed through the master (the CLI gives `scheduler add`'s); none: read-only. */
  schedules?: ScheduleRules | undefined;
  /** Events processed at once by those hooks. */
  eventConcurrency: number;
  /** One sample of each agent's heartbeat system info per interval is kept, for the retention (`agent metrics`). */
  metricsIntervalMs: number;
  metricsRetentionMs: number;
  /** A run reported by a CLI (`workflow run --master`) and not heard of for this long is marked interrupted. */
  reportTimeoutMs: number;
  /** Serves /metrics, /healthz and /readyz on this port of `bind` (0: any free port); none when unset. */
  dashboardPort?: number | undefined;
  version: string;
  log: (level: 'info' | 'warn' | 'error' | 'debug', message: string) => void;
}

export const DEFAULT_HEARTBEAT_MS = 5000;
export const DEFAULT_MISSED_HEARTBEATS = 3;
export const DEFAULT_READ_MAX_BYTES = 4 * 1024 * 1024;
export const DEFAULT_METRICS_INTERVAL_MS = 60_000;
export const DEFAULT_METRICS_RETENTION_MS = 86_400_000;

const schema = z.object({
  port: z.number().int().min(0).max(65535),
  bind: z.string().min(1).max(255),
  dataDir: z.string().min(1),
  tlsCert: z.string().min(1).optional(),
  tlsKey: z.string().min(1).optional(),
  token: z.string().min(8, 'a token must have at least 8 characters').max(4096).optional(),
  insecure: z.boolean(),
  heartbeatIntervalMs: z.number().int().min(10).max(3_600_000),
  missedHeartbeats: z.number().int().min(1).max(100),
  readMaxBytes: z.number().int().min(1024),
  hooks: z.boolean(),
  eventConcurrency: z.number().int().min(1).max(1000),
  metricsIntervalMs: z.number().int().min(100).max(86_400_000),
  metricsRetentionMs: z.number().int().min(1000).max(7_776_000_000),
  reportTimeoutMs: z.number().int().min(300, 'at least 300ms').max(86_400_000, 'at most 24h'),
  dashboardPort: z.number().int().min(0).max(65535).optional(),
});

/** Fills defaults and checks the options: TLS needs both files, and a master reachable from other hosts needs a token. */
export function resolveMasterOptions(input: Partial<MasterOptions> & Pick<MasterOptions, 'dataDir'>): MasterOptions {
  const options: MasterOptions = {
    port: DEFAULT_MASTER_PORT,
    bind: '127.0.0.1',
    insecure: false,
    heartbeatIntervalMs: DEFAULT_HEARTBEAT_MS,
    missedHeartbeats: DEFAULT_MISSED_HEARTBEATS,
    readMaxBytes: DEFAULT_READ_MAX_BYTES,
    hooks: true,
    modules: [],
    eventConcurrency: 16,
    metricsIntervalMs: DEFAULT_METRICS_INTERVAL_MS,
    metricsRetentionMs: DEFAULT_METRICS_RETENTION_MS,
    reportTimeoutMs: DEFAULT_REPORT_TIMEOUT_MS,
    version: '0.0.0',
    log: () => {},
    ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)),
  } as unknown as MasterOptions;
  const parsed = schema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SlothError('usage', `invalid master option ${issue?.path.join('.')}: ${issue?.message}`);
  }
  if (options.metricsRetentionMs < options.metricsIntervalMs) {
    throw new SlothError('usage', 'the metrics retention is shorter than the metrics interval: no sample would be kept', {
      hint: 'e.g. --metrics-interval 1m --metrics-retention 24h',
    });
  }
  if (options.dashboardPort !== undefined && options.dashboardPort !== 0 && options.dashboardPort === options.port) {
    throw new SlothError('usage', `--dashboard-port ${options.dashboardPort} is the master's own port`, {
      hint: 'choose another port for the dashboard (e.g. --dashboard-port 3000)',
    });
  }
  if ((options.tlsCert === undefined) !== (options.tlsKey === undefined)) {
    throw new SlothError('usage', 'TLS needs both a certificate and its key', { hint: 'pass --tls-cert and --tls-key together' });
  }
  refuseOpenExposure(options);
  return options;
}

/**
 * The rule of every server that can run commands or show what runs: listening beyond loopback needs a token, or
 * --insecure to accept the risk. Throws a usage error naming the fix.
 */
export function refuseOpenExposure(
  options: { bind: string; token?: string | undefined; insecure: boolean },
  risk = 'anyone who reaches it could run commands on your agents',
  tokenUse = 'agents and the CLI then send it',
): void {
  if (!options.token && !isLoopback(options.bind) && !options.insecure) {
    throw new SlothError('usage', `refusing to listen on ${options.bind} without a token: ${risk}`, {
      hint: `pass --token-file FILE (${tokenUse}), bind to 127.0.0.1, or accept the risk with --insecure`,
    });
  }
}

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  return h.startsWith('::ffff:127.');
}
