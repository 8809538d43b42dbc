import { Flags } from '@oclif/core';
import { SlothCommand } from '../base-command.js';
import { untilSignal } from '../until-signal.js';

export default class Ui extends SlothCommand {
  static override summary =
    'Serve the web dashboard over a data directory: an overview, its agents, workflow runs, stacks, events, hooks and secrets, live.';
  static override description =
    "A web page (built with this program, no CDN) with the Overview, Agents, Runs, Stacks, Events, Hooks, Secrets and Audit screens, updated as the data directory changes: counts of today's runs and of the event queue with the recent failures, the agents its master recorded (Active while the master's last recorded heartbeat of one is at most 15 s old; each with its work and the end of each work's output, and the events it sent), the workflow runs recorded there with each task's status, changes, attempts and log, the stacks with their resources, outputs and history (and their drift, checked on this machine as `stack drift` does), the event queue (each event with its hook executions), the hooks, and the secrets by name (stacks, hooks and secrets changed there; each such change kept in the Audit screen's log). A secret set under a passphrase needs SLOTH_SECRET_PASSPHRASE (or SLOTH_SECRET_PASSPHRASE_FILE) in its environment, as `secret set` does. Also serves /metrics, /healthz and /readyz. With a token (--token-file, or $SLOTH_TOKEN) the page asks for it and keeps an httpOnly session cookie; bound beyond loopback it refuses to start without one unless --insecure. --tls-cert/--tls-key serve it over HTTPS (the cookie is then Secure). `master start --dashboard-port` serves the same dashboard from a master, with its live agents and agent control (a command run on several agents at once); `ui --master NAME|ADDRESS` shows that master's agents live and runs commands on them through it (with the same token: --token-file or $SLOTH_TOKEN is then both the page's and the master's), over this data directory's runs, stacks, events and secrets. It refuses to start when the master cannot be reached; a master lost later leaves its agents as last seen, the reason on the Overview and /readyz failing, until it answers again. Stops on SIGINT/SIGTERM.";
  static override flags = {
    port: Flags.integer({ description: 'Port to listen on (0: any free port).', default: 8080, min: 0, max: 65535 }),
    bind: Flags.string({
      description: 'Address to listen on (0.0.0.0: every interface; needs a token).',
      default: '127.0.0.1',
      aliases: ['bind-address'],
    }),
    'token-file': Flags.string({ description: 'A file holding the token the login page asks for (or $SLOTH_TOKEN).' }),
    token: Flags.string({ description: 'The token itself (prefer --token-file: a flag shows in `ps`).' }),
    insecure: Flags.boolean({ description: 'Allow listening beyond loopback without a token.', default: false }),
    master: Flags.string({
      description:
        'A master (a name saved with `master add`, or HOST:PORT): its agents, live, and agent control through it. Default: none, the agents a master recorded in the data directory.',
    }),
    ca: Flags.string({ description: 'CA certificate (PEM) of a --master serving TLS; implies https.', dependsOn: ['master'] }),
    'tls-cert': Flags.string({ description: 'Certificate chain (PEM): serve HTTPS. Needs --tls-key.', dependsOn: ['tls-key'] }),
    'tls-key': Flags.string({ description: 'Private key (PEM) of --tls-cert.', dependsOn: ['tls-cert'] }),
  };
  static override examples = [
    '<%= config.bin %> ui',
    '<%= config.bin %> ui --port 8080 --data-dir /var/lib/sloth-runner',
    '<%= config.bin %> ui --bind 0.0.0.0 --token-file ~/.sloth-runner/token --tls-cert ui.pem --tls-key ui-key.pem',
    '<%= config.bin %> ui --master prod --token-file ~/.sloth-runner/token',
  ];

  async run(): Promise<void> {
    const { flags } = await this.parse(Ui);
    const [
      { startStandaloneDashboard },
      { daemonLog, readPem, resolveToken },
      { defaultDataDir },
      { loadModules },
      { masterConnection },
    ] = await Promise.all([
      import('@sloth/master'),
      import('@sloth/client'),
      import('@sloth/store-sqlite'),
      import('@sloth/builtin-modules'),
      import('../fleet-cli/connect.js'),
    ]);
    const log = daemonLog(flags.debug);
    const token = resolveToken({ token: flags.token, tokenFile: flags['token-file'] });
    const ui = await startStandaloneDashboard({
      port: flags.port,
      bind: flags.bind,
      dataDir: flags['data-dir'] ?? defaultDataDir(),
      token,
      insecure: flags.insecure,
      master: flags.master === undefined ? undefined : masterConnection(flags),
      tls:
        flags['tls-cert'] !== undefined && flags['tls-key'] !== undefined
          ? { cert: readPem(flags['tls-cert'], 'the certificate'), key: readPem(flags['tls-key'], 'the key') }
          : undefined,
      // Its stacks' drift checks read resources back with them, as `stack drift` does.
      modules: await loadModules(),
      log,
    });
    log(
      'info',
      `dashboard on ${ui.url} (${token ? 'login with the token' : 'no token: loopback only'}); data in ${ui.storePath}${
        ui.master ? `; agents of the master at ${ui.master}` : ''
      }`,
    );
    log('info', `${await untilSignal()} received: stopping`);
    await ui.close();
    log('info', 'dashboard stopped');
  }
}
