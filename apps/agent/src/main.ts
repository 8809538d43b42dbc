import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { agentOptionsFrom, listenFlagsNotice, runAgentProcess } from '@sloth/agent';
import { SlothError } from '@sloth/core';
import { daemonFiles, startDaemonFromCommand } from '@sloth/core/daemon';

const USAGE = `usage: sloth-agent --name NAME --master HOST:PORT [options]

  --name NAME                 unique name of this agent (or SLOTH_AGENT_NAME)
  --master ADDR               the master: host:port or http(s)://host:port (or SLOTH_MASTER)
  --token T | --token-file F  the master's token (or SLOTH_TOKEN)
  --ca FILE                   CA certificate of a master serving TLS (implies https)
  --labels k=v                labels, repeatable or comma-separated
  --heartbeat-interval 5s     default: what the master asks for (5s)
  --missed-heartbeats 3       unanswered heartbeats before reconnecting
  --reconnect-initial 5s      first reconnection delay of every outage (doubles, with jitter)
  --reconnect-max 60s         longest reconnection delay
  --data-dir DIR              keeps events not yet delivered to the master (default $SLOTH_HOME or ~/.sloth-runner)
  --daemon                    run in the background: return once registered; pid and log in the data
                              directory (agent-NAME.pid, agent-NAME.log); stop it with
                              \`sloth-runner agent stop NAME --local\` or \`kill $(cat DIR/agent-NAME.pid)\`
  --metrics-port PORT         serve /metrics (Prometheus), /healthz, /readyz on this port
  --metrics-bind ADDR         address of that server (default 127.0.0.1; 0.0.0.0: every interface)
  --health-checks             raise system.cpu_high|memory_high|disk_full (and *_recovered) into the
                              master's event queue when a threshold is crossed for N heartbeats in a row
  --cpu-high 90, --memory-high 90, --disk-high 90
                              those thresholds, in percent
  --health-heartbeats 3       N: heartbeats in a row over (or back under) a threshold
  --health-command NAME=CMD   with --health-checks: run CMD each heartbeat (repeatable); failing N times in a
                              row raises health.check_failed, passing N times again health.check_recovered
  --port, --bind-address      ignored (with a notice): an agent listens on no port, it dials out
  --debug                     debug log lines
`;

/** sloth-agent: the agent without the CLI framework (a small process to install on every machine). */
async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      name: { type: 'string' },
      master: { type: 'string' },
      token: { type: 'string' },
      'token-file': { type: 'string' },
      ca: { type: 'string' },
      labels: { type: 'string', multiple: true },
      'heartbeat-interval': { type: 'string' },
      'missed-heartbeats': { type: 'string' },
      'reconnect-initial': { type: 'string' },
      'reconnect-max': { type: 'string' },
      'data-dir': { type: 'string' },
      'metrics-port': { type: 'string' },
      'metrics-bind': { type: 'string' },
      'health-checks': { type: 'boolean' },
      'cpu-high': { type: 'string' },
      'memory-high': { type: 'string' },
      'disk-high': { type: 'string' },
      'health-heartbeats': { type: 'string' },
      'health-command': { type: 'string', multiple: true },
      daemon: { type: 'boolean' },
      port: { type: 'string' },
      'bind-address': { type: 'string' },
      debug: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'V' },
    },
    strict: true,
  });
  const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (values.version) {
    process.stdout.write(`sloth-agent version ${version}\n`);
    return 0;
  }
  const notice = listenFlagsNotice({ port: values.port, bindAddress: values['bind-address'] });
  if (notice) process.stderr.write(notice);
  const missed = values['missed-heartbeats'];
  const options = agentOptionsFrom({
    name: values.name,
    master: values.master,
    token: values.token,
    tokenFile: values['token-file'],
    ca: values.ca,
    labels: values.labels,
    heartbeatInterval: values['heartbeat-interval'],
    missedHeartbeats: missed === undefined ? undefined : Number(missed),
    reconnectInitial: values['reconnect-initial'],
    reconnectMax: values['reconnect-max'],
    debug: values.debug,
    dataDir: values['data-dir'],
    metricsPort: values['metrics-port'],
    metricsBind: values['metrics-bind'],
    healthChecks: values['health-checks'],
    cpuHigh: values['cpu-high'],
    memoryHigh: values['memory-high'],
    diskHigh: values['disk-high'],
    healthHeartbeats: values['health-heartbeats'],
    healthCommands: values['health-command'],
    version,
  });
  if (values.daemon) {
    const { pidFile, logFile } = daemonFiles(options.dataDir, `agent-${options.name}`);
    const started = await startDaemonFromCommand({
      what: `agent ${options.name}`,
      argv: [process.argv[1] as string, ...argv.filter((a) => a !== '--daemon')],
      pidFile,
      logFile,
      stopHint: `stop it with \`kill $(cat ${pidFile})\``,
    });
    process.stdout.write(
      `agent ${options.name} runs in the background (pid ${started.pid}), ${started.detail}; log: ${logFile}\n`,
    );
    return 0;
  }
  await runAgentProcess(options);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof SlothError) {
      process.stderr.write(`error: ${err.message}\n${err.hint ? `  hint: ${err.hint}\n` : ''}`);
      process.exit(2);
    }
    const e = err as { code?: string; message?: string };
    if (typeof e.code === 'string' && e.code.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`error: ${e.message}\n\n${USAGE}`);
      process.exit(2);
    }
    process.stderr.write(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
