import { readFileSync } from 'node:fs';
import { daemonLog, resolveToken } from '@sloth/client';
import { parseDuration, SlothError } from '@sloth/core';
import { type AgentOptions, parseLabels, resolveAgentOptions } from './agent-options.js';
import type { HealthCommand } from './command-health-checks.js';
import type { HealthThresholds } from './health-checks.js';

/** What `sloth-runner agent start` and `sloth-agent` accept, as flags (strings) with environment fallbacks. */
export interface AgentStartInput {
  name?: string | undefined;
  master?: string | undefined;
  token?: string | undefined;
  tokenFile?: string | undefined;
  ca?: string | undefined;
  labels?: readonly string[] | undefined;
  heartbeatInterval?: string | undefined;
  missedHeartbeats?: number | undefined;
  reconnectInitial?: string | undefined;
  reconnectMax?: string | undefined;
  debug?: boolean | undefined;
  /** The outbox of events waiting for the master; default $SLOTH_HOME or ~/.sloth-runner. */
  dataDir?: string | undefined;
  /** Serve /metrics, /healthz, /readyz on this port (a string from sloth-agent's flags). */
  metricsPort?: string | number | undefined;
  /** Their address (default 127.0.0.1). */
  metricsBind?: string | undefined;
  /** `--health-checks`, and its thresholds in percent (text from sloth-agent's flags). */
  healthChecks?: boolean | undefined;
  cpuHigh?: string | number | undefined;
  memoryHigh?: string | number | undefined;
  diskHigh?: string | number | undefined;
  /** Heartbeats in a row a threshold must be crossed (or back under) before its event. */
  healthHeartbeats?: string | number | undefined;
  /** `--health-command NAME=COMMAND` (repeatable): a command whose exit code 0 means healthy. */
  healthCommands?: readonly string[] | undefined;
  version: string;
}

/** Turns flags (falling back to SLOTH_AGENT_NAME, SLOTH_MASTER, SLOTH_TOKEN, SLOTH_AGENT_*) into agent options. */
export function agentOptionsFrom(input: AgentStartInput, env: NodeJS.ProcessEnv = process.env): AgentOptions {
  const name = input.name ?? env.SLOTH_AGENT_NAME;
  if (!name) throw new SlothError('usage', 'the agent needs a name', { hint: 'pass --name NAME (unique in the fleet)' });
  const address = input.master ?? env.SLOTH_MASTER;
  if (!address) throw new SlothError('usage', 'the agent needs the address of its master', { hint: 'pass --master HOST:PORT' });
  const ms = (v: string | undefined, envName: string, what: string) => {
    const text = v ?? env[envName];
    return text === undefined || text === '' ? undefined : parseDuration(text, what);
  };
  let ca: string | undefined;
  if (input.ca !== undefined) {
    try {
      ca = readFileSync(input.ca, 'utf8');
    } catch (err) {
      throw new SlothError('usage', `cannot read the CA file ${input.ca}: ${(err as NodeJS.ErrnoException).code ?? err}`);
    }
  }
  return resolveAgentOptions({
    name,
    master: { address, token: resolveToken({ token: input.token, tokenFile: input.tokenFile, env }), ca },
    labels: parseLabels(input.labels ?? (env.SLOTH_AGENT_LABELS ? [env.SLOTH_AGENT_LABELS] : [])),
    version: input.version,
    heartbeatIntervalMs: ms(input.heartbeatInterval, 'SLOTH_AGENT_HEARTBEAT', 'heartbeat interval'),
    missedHeartbeats: input.missedHeartbeats,
    reconnectInitialMs: ms(input.reconnectInitial, 'SLOTH_AGENT_RECONNECT_INITIAL', 'initial reconnection delay'),
    reconnectMaxMs: ms(input.reconnectMax, 'SLOTH_AGENT_RECONNECT_MAX', 'maximum reconnection delay'),
    dataDir: input.dataDir,
    metricsPort: portNumber(input.metricsPort, '--metrics-port'),
    metricsBind: input.metricsBind,
    healthChecks: healthThresholds(input),
    log: daemonLog(input.debug ?? false),
  });
}

/** The thresholds of --health-checks (default 90% each, 3 heartbeats); a threshold without --health-checks is a mistake. */
function healthThresholds(input: AgentStartInput): HealthThresholds | undefined {
  const given = (
    [
      ['--cpu-high', input.cpuHigh],
      ['--memory-high', input.memoryHigh],
      ['--disk-high', input.diskHigh],
      ['--health-heartbeats', input.healthHeartbeats],
      ['--health-command', input.healthCommands?.length ? input.healthCommands : undefined],
    ] as const
  ).filter(([, v]) => v !== undefined);
  if (!input.healthChecks) {
    if (given.length > 0)
      throw new SlothError(
        'usage',
        `${given.map(([f]) => f).join(', ')} ${given.length > 1 ? 'need' : 'needs'} --health-checks`,
        {
          hint: 'e.g. --health-checks --cpu-high 90 --memory-high 90 --disk-high 90',
        },
      );
    return undefined;
  }
  const num = (v: string | number | undefined, flag: string, fallback: number, max: number) => {
    if (v === undefined) return fallback;
    const n = typeof v === 'number' ? v : /^\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : Number.NaN;
    if (!(n >= 0 && n <= max))
      throw new SlothError('usage', `${flag} '${v}' is not a number from 0 to ${max}`, { hint: `e.g. ${flag} ${fallback}` });
    return n;
  };
  return {
    cpuHigh: num(input.cpuHigh, '--cpu-high', 90, 100),
    memoryHigh: num(input.memoryHigh, '--memory-high', 90, 100),
    diskHigh: num(input.diskHigh, '--disk-high', 90, 100),
    heartbeats: Math.max(1, Math.round(num(input.healthHeartbeats, '--health-heartbeats', 3, 1000))),
    commands: healthCommands(input.healthCommands ?? []),
  };
}

/** `--health-command NAME=COMMAND` values: names unique, made of letters, digits, `.`, `_` and `-`. */
function healthCommands(given: readonly string[]): HealthCommand[] {
  const out: HealthCommand[] = [];
  for (const v of given) {
    const at = v.indexOf('=');
    const name = at > 0 ? v.slice(0, at).trim() : '';
    const command = at > 0 ? v.slice(at + 1).trim() : '';
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(name) || command === '') {
      throw new SlothError('usage', `--health-command '${v}' is not NAME=COMMAND`, {
        hint: "e.g. --health-command 'nginx=systemctl is-active --quiet nginx'",
      });
    }
    if (out.some((c) => c.name === name)) throw new SlothError('usage', `--health-command: the name '${name}' is given twice`);
    out.push({ name, command });
  }
  return out;
}

/** A port given as text or a number; a usage error naming `flag` when it is not one. */
function portNumber(value: string | number | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'number' ? value : /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new SlothError('usage', `${flag} '${value}' is not a port number`, { hint: `e.g. ${flag} 9100 (0-65535)` });
  return n;
}

/**
 * The notice for --port / --bind-address, which the seed's command lines pass to agents: an agent listens on nothing
 * (it dials out to its master), so they are accepted and ignored, and said to be. Undefined when neither was given.
 */
export function listenFlagsNotice(given: { port?: unknown; bindAddress?: unknown }): string | undefined {
  const flags = [given.port !== undefined && '--port', given.bindAddress !== undefined && '--bind-address'].filter(Boolean);
  if (flags.length === 0) return undefined;
  return `note: ${flags.join(' and ')} ignored: an agent listens on no port, it dials out to its master (--master)\n`;
}
