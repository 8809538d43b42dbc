import { Flags } from '@oclif/core';
import { SlothCommand } from '../../base-command.js';
import { untilSignal } from '../../until-signal.js';

export default class MasterStart extends SlothCommand {
  static override summary =
    'Run a master: the server agents connect to and the CLI talks to (`sloth-runner master` alone does too).';
  static override aliases = ['master'];
  static override description =
    'It serves Connect, gRPC and gRPC-web over HTTP/2 (so `buf curl` and grpcurl work), keeps the agent registry in the data directory, marks an agent Inactive after 3 missed heartbeats, records agent.registered|connected|disconnected|heartbeat_failed and the events agents forward, runs the hooks added with `hook add --data-dir` on the same directory, fires the schedules of that directory (`scheduler add`; --no-scheduler leaves them to `scheduler run`), serves the web dashboard (Agents with agent control, Runs, Stacks, Events, Hooks, Audit, live; login with the token) and GET /metrics (Prometheus), /healthz and /readyz over plain HTTP on --dashboard-port when given (same address as --bind), and stops cleanly on SIGINT/SIGTERM. Bound beyond loopback it refuses to start without a token unless --insecure. With --daemon it runs in the background: the command returns once the master listens (or fails with its error), its pid is in master.pid and its output in master.log of the data directory, and `sloth-runner master stop` stops it.';
  static override flags = {
    port: Flags.integer({ description: 'Port to listen on (0: any free port).', default: 50053, min: 0, max: 65535 }),
    bind: Flags.string({
      description: 'Address to listen on (0.0.0.0: every interface; needs a token). --bind-address is the same flag.',
      default: '127.0.0.1',
      aliases: ['bind-address'],
    }),
    'dashboard-port': Flags.integer({
      description:
        'Serve the web dashboard, /metrics (Prometheus), /healthz and /readyz on this port of --bind (0: any free port).',
      min: 0,
      max: 65535,
    }),
    daemon: Flags.boolean({
      description: 'Run in the background: return once listening; pid and log in the data directory (master.pid, master.log).',
      default: false,
    }),
    'tls-cert': Flags.string({ description: 'Certificate chain (PEM): serve HTTPS. Needs --tls-key.', dependsOn: ['tls-key'] }),
    'tls-key': Flags.string({ description: 'Private key (PEM) of --tls-cert.', dependsOn: ['tls-cert'] }),
    'token-file': Flags.string({ description: 'A file holding the token agents and the CLI must send (or $SLOTH_TOKEN).' }),
    token: Flags.string({ description: 'The token itself (prefer --token-file: a flag shows in `ps`).' }),
    insecure: Flags.boolean({ description: 'Allow listening beyond loopback without a token.', default: false }),
    'heartbeat-interval': Flags.string({ description: 'How often agents heartbeat.', default: '5s' }),
    'missed-heartbeats': Flags.integer({
      description: 'Missed heartbeats before an agent is Inactive and its stream closed.',
      default: 3,
      min: 1,
    }),
    hooks: Flags.boolean({
      description:
        'Run the hooks of the data directory on events (agent.*, events from agents and workflows); --no-hooks leaves them pending for `events serve`.',
      default: true,
      allowNo: true,
    }),
    'event-concurrency': Flags.integer({ description: 'Events processed at once by hooks.', default: 16, min: 1, max: 1000 }),
    'metrics-interval': Flags.string({
      description: "How often an agent's heartbeat system info is kept as a sample for `agent metrics`.",
      default: '1m',
    }),
    'metrics-retention': Flags.string({ description: 'How long those samples are kept.', default: '24h' }),
    'report-timeout': Flags.string({
      description:
        'A run reported by a CLI (`workflow run --master`) that this master has not heard of for this long is marked interrupted (its CLI calls at least every third of it).',
      default: '90s',
    }),
    scheduler: Flags.boolean({
      description:
        'Fire the schedules of the data directory (`scheduler add --data-dir`); one master or `scheduler run` per directory fires them at a time. --no-scheduler leaves them to `scheduler run`.',
      default: true,
      allowNo: true,
    }),
  };
  static override examples = [
    '<%= config.bin %> master start',
    '<%= config.bin %> master start --port 50053 --bind-address 192.168.1.29 --token-file token --daemon',
    'openssl rand -hex 32 > ~/.sloth-runner/token && <%= config.bin %> master start --bind 0.0.0.0 --token-file ~/.sloth-runner/token',
    '<%= config.bin %> master start --bind 0.0.0.0 --token-file token --tls-cert master.pem --tls-key master-key.pem',
    '<%= config.bin %> master start --dashboard-port 3000',
  ];

  async run(): Promise<void> {
    const { flags } = await this.parse(MasterStart);
    const [{ resolveMasterOptions, startMaster }, { daemonLog, readPem, resolveToken }, { parseDuration }, { defaultDataDir }] =
      await Promise.all([import('@sloth/master'), import('@sloth/client'), import('@sloth/core'), import('@sloth/store-sqlite')]);
    const log = daemonLog(flags.debug);
    const token = resolveToken({ token: flags.token, tokenFile: flags['token-file'] });
    const options = {
      port: flags.port,
      bind: flags.bind,
      dataDir: flags['data-dir'] ?? defaultDataDir(),
      tlsCert: flags['tls-cert'] === undefined ? undefined : readPem(flags['tls-cert'], 'the certificate'),
      tlsKey: flags['tls-key'] === undefined ? undefined : readPem(flags['tls-key'], 'the key'),
      token,
      insecure: flags.insecure,
      heartbeatIntervalMs: parseDuration(flags['heartbeat-interval'], '--heartbeat-interval'),
      missedHeartbeats: flags['missed-heartbeats'],
      hooks: flags.hooks,
      eventConcurrency: flags['event-concurrency'],
      metricsIntervalMs: parseDuration(flags['metrics-interval'], '--metrics-interval'),
      metricsRetentionMs: parseDuration(flags['metrics-retention'], '--metrics-retention'),
      reportTimeoutMs: parseDuration(flags['report-timeout'], '--report-timeout'),
      dashboardPort: flags['dashboard-port'],
      version: this.config.version,
      log,
    };
    if (flags.daemon) {
      // Checked before the daemon starts: a usage mistake is reported here, not in its log.
      resolveMasterOptions(options);
      const { startInBackground } = await import('../../daemon-cli.js');
      await startInBackground(this, {
        what: 'the master',
        file: 'master',
        dataDir: flags['data-dir'],
        args: ['master', 'start'],
        stopCommand: 'sloth-runner master stop',
      });
      return;
    }
    const [{ loadModules }, { masterScheduleRules }] = await Promise.all([
      import('@sloth/builtin-modules'),
      import('../../scheduler-cli/master-rules.js'),
    ]);
    const master = await startMaster({ ...options, modules: await loadModules(), schedules: masterScheduleRules });
    log(
      'info',
      `master listening on ${master.url} (${token ? 'token required' : 'no token: loopback only'}); data in ${master.store.path}`,
    );
    if (master.dashboardUrl)
      log('info', `dashboard on ${master.dashboardUrl}; metrics on ${master.dashboardUrl}/metrics (health: /healthz, /readyz)`);
    const scheduler = flags.scheduler ? await startScheduler(options.dataDir, log) : undefined;
    const { daemonReady } = await import('@sloth/core/daemon');
    daemonReady(`listening on ${master.url}`);
    log('info', `${await untilSignal()} received: closing agent streams and stopping`);
    await scheduler?.stop();
    await master.close();
    log('info', 'master stopped');
  }
}

/** The master's scheduler: fires the data directory's schedules while it holds the scheduler lease. */
async function startScheduler(
  dataDir: string,
  log: (level: 'info' | 'warn' | 'error' | 'debug', message: string) => void,
): Promise<{ stop(): Promise<void> }> {
  const [{ resolve }, { openDataStore }, { Scheduler }] = await Promise.all([
    import('node:path'),
    import('../../store-access.js'),
    import('../../scheduler/scheduler-loop.js'),
  ]);
  const dir = resolve(dataDir);
  const store = openDataStore(dir);
  const scheduler = new Scheduler({ store, dataDir: dir, log });
  scheduler.start();
  return {
    stop: async () => {
      await scheduler.stop();
      store.close();
    },
  };
}
