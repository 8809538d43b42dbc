import { SlothError } from '@sloth/core';
import { daemonReady } from '@sloth/core/daemon';
import type { HealthServer } from '@sloth/metrics';
import type { AgentOptions } from './agent-options.js';
import { takeOverFromPrevious } from './previous-incarnation.js';
import { SlothAgent } from './sloth-agent.js';

/**
 * Runs an agent as this process's job: SIGINT/SIGTERM (or a StopAgent from the master) stop it cleanly, killing its
 * running commands. Resolves when it has stopped; rejects with a SlothError when the master refuses it for good.
 * Started with --daemon, its first registration is when it is ready (its pid file is written then). With a metrics
 * port it serves /metrics, /healthz and /readyz there while it runs.
 */
export async function runAgentProcess(options: AgentOptions): Promise<void> {
  const agent = new SlothAgent({
    ...options,
    onRegistered: () => {
      options.onRegistered?.();
      daemonReady(`registered with ${options.master.address}`);
    },
  });
  options.log(
    'info',
    `agent ${options.name} starting: master ${options.master.address}${options.master.token ? ' (with token)' : ''}`,
  );
  const { previous, killed } = takeOverFromPrevious(options.dataDir, options.name);
  if (killed > 0)
    options.log('warn', `killed ${killed} process group(s) left running by the previous agent process (pid ${previous})`);
  let health: HealthServer | undefined;
  if (options.metricsPort !== undefined) {
    // Loaded only here: prom-client is megabytes an agent that exports no metrics does not need.
    const [{ AgentMetrics }, { processRegistry, startHealthServer }] = await Promise.all([
      import('./agent-metrics.js'),
      import('@sloth/metrics'),
    ]);
    const metrics = new AgentMetrics();
    agent.exportMetrics(metrics);
    health = await startHealthServer({
      port: options.metricsPort,
      bind: options.metricsBind,
      what: `agent ${options.name}`,
      portFlag: '--metrics-port',
      registries: () => [processRegistry(), metrics.registry],
      ready: () => agent.readiness(),
    });
    options.log('info', `metrics on ${health.url}/metrics (health: /healthz, /readyz)`);
  }
  const onSignal = (signal: NodeJS.Signals) => void agent.stop(`received ${signal}: stopping`);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await agent.run();
  } catch (err) {
    await agent.stop('refused by the master');
    throw err instanceof SlothError ? err : new SlothError('internal', String(err), { cause: err });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await health?.close();
  }
}
