import type { MasterConnection } from '@sloth/client';
import { SlothError } from '@sloth/core';
import { defaultDataDir } from '@sloth/store-sqlite';
import { z } from 'zod';
import type { HealthThresholds } from './health-checks.js';

/** Everything an agent needs. Intervals are configurable so tests (and impatient fleets) can run fast. */
export interface AgentOptions {
  name: string;
  master: MasterConnection;
  labels: Record<string, string>;
  version: string;
  /** Heartbeat interval; 0 = the one the master asks for (default 5 s). */
  heartbeatIntervalMs: number;
  /** Heartbeats a link may miss before it is considered dead and the agent reconnects. */
  missedHeartbeats: number;
  reconnectInitialMs: number;
  reconnectMaxMs: number;
  /** 0..1 spread of each reconnection delay. */
  reconnectJitter: number;
  /** How long a connection may take to be registered. */
  connectTimeoutMs: number;
  /** The disk reported in heartbeats. */
  diskPath: string;
  /** Where the outbox of events not yet acknowledged by the master lives (`$SLOTH_HOME`, ~/.sloth-runner). */
  dataDir: string;
  /** Serves /metrics, /healthz and /readyz on this port (0: any free port); none when unset. */
  metricsPort?: number | undefined;
  /** The address of that server (default 127.0.0.1: this machine only). */
  metricsBind: string;
  /** `--health-checks`: thresholds whose crossing raises system.* events into the master's queue; none when unset. */
  healthChecks?: HealthThresholds | undefined;
  log: (level: 'info' | 'warn' | 'error' | 'debug', message: string) => void;
  /** Told each time the master accepts the agent's registration. */
  onRegistered?: (() => void) | undefined;
}

/** An agent's name: unique in its fleet, and part of its daemon's file names (agent-NAME.pid). */
export const agentNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'must be 1-63 letters, digits, ".", "_" or "-", starting with a letter or digit');

const schema = z.object({
  name: agentNameSchema,
  labels: z.record(
    z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,62}$/, 'label keys are letters, digits, ".", "_", "/" or "-"'),
    z.string().max(256),
  ),
  heartbeatIntervalMs: z.number().int().min(0).max(3_600_000),
  missedHeartbeats: z.number().int().min(1).max(100),
  reconnectInitialMs: z.number().int().min(1).max(3_600_000),
  reconnectMaxMs: z.number().int().min(1).max(86_400_000),
  reconnectJitter: z.number().min(0).max(1),
  connectTimeoutMs: z.number().int().min(10).max(600_000),
  metricsPort: z.number().int().min(0).max(65535).optional(),
  metricsBind: z.string().min(1).max(255),
  healthChecks: z
    .object({
      cpuHigh: z.number().min(0).max(100),
      memoryHigh: z.number().min(0).max(100),
      diskHigh: z.number().min(0).max(100),
      heartbeats: z.number().int().min(1).max(1000),
      commands: z
        .array(z.object({ name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/), command: z.string().min(1).max(4096) }))
        .max(50)
        .optional(),
    })
    .optional(),
});

/** Fills the defaults (heartbeat from the master, 3 missed, backoff 5 s -> 60 s with 20% jitter, connect timeout 10 s). */
export function resolveAgentOptions(input: Partial<AgentOptions> & Pick<AgentOptions, 'name' | 'master'>): AgentOptions {
  const options = {
    labels: {},
    version: '0.0.0',
    heartbeatIntervalMs: 0,
    missedHeartbeats: 3,
    reconnectInitialMs: 5000,
    reconnectMaxMs: 60_000,
    reconnectJitter: 0.2,
    connectTimeoutMs: 10_000,
    diskPath: '/',
    dataDir: defaultDataDir(),
    metricsBind: '127.0.0.1',
    log: () => {},
    ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)),
  } as unknown as AgentOptions;
  const parsed = schema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SlothError('usage', `invalid agent option ${issue?.path.join('.')}: ${issue?.message}`);
  }
  if (options.reconnectMaxMs < options.reconnectInitialMs) {
    throw new SlothError('usage', 'the maximum reconnection delay is shorter than the initial one');
  }
  return options;
}

/** Parses `k=v` labels (repeatable flag, or one comma-separated value). */
export function parseLabels(items: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const item of items.flatMap((i) => i.split(','))) {
    const text = item.trim();
    if (text === '') continue;
    const eq = text.indexOf('=');
    if (eq <= 0)
      throw new SlothError('usage', `label '${text}' is not key=value`, { hint: 'e.g. --labels env=prod --labels role=web' });
    labels[text.slice(0, eq).trim()] = text.slice(eq + 1).trim();
  }
  return labels;
}
