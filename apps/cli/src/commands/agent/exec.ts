import { Args, Flags } from '@oclif/core';
import { SlothCommand } from '../../base-command.js';
import { agentNameArg, masterFlags } from '../../fleet-cli/flags.js';

export default class AgentExec extends SlothCommand {
  static override summary = 'Run a command line on an agent: its output streams here live, and its exit code becomes ours.';
  static override description =
    'The command runs with /bin/sh -c on the agent (in its own process group: a timeout or Ctrl-C here kills it whole). If the master goes away while it runs, this waits up to a minute for the master and re-attaches to the command. Exit code: the remote exit code (128+N when a signal killed it); 2 when the master or the agent cannot be used; 130 when interrupted.';
  static override args = {
    name: agentNameArg,
    command: Args.string({ description: 'The command line to run.', required: true }),
  };
  static override flags = {
    ...masterFlags,
    timeout: Flags.string({ description: 'Kill the command after this long ("30s", "5m"). Default: no limit.' }),
    workdir: Flags.string({ description: 'Working directory on the agent (default: where the agent runs).' }),
    env: Flags.string({ description: 'Set an environment variable for the command: K=V (repeatable).', multiple: true }),
  };
  static override examples = [
    '<%= config.bin %> agent exec web-01 "uptime"',
    '<%= config.bin %> agent exec web-01 "systemctl restart nginx" --timeout 1m',
    '<%= config.bin %> agent exec db-01 "pg_dump app > /tmp/app.sql" --env PGUSER=backup --workdir /var/lib/postgresql',
  ];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(AgentExec);
    const [{ withControl }, { parseDuration, SlothError }, { WorkOutput_Stream }, { followWork }] = await Promise.all([
      import('../../fleet-cli/connect.js'),
      import('@sloth/core'),
      import('@sloth/client'),
      import('../../fleet-cli/follow-work.js'),
    ]);
    const env: Record<string, string> = {};
    for (const item of flags.env ?? []) {
      const eq = item.indexOf('=');
      if (eq <= 0) throw new SlothError('usage', `--env '${item}' is not K=V`);
      env[item.slice(0, eq)] = item.slice(eq + 1);
    }
    const timeoutMs = flags.timeout === undefined ? 0 : parseDuration(flags.timeout, '--timeout');
    const controller = new AbortController();
    let interrupted = false;
    const onSignal = () => {
      interrupted = true;
      controller.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const exitCode = await withControl(flags, async (c, conn) => {
        const res = await followWork({
          client: c,
          start: (signal) =>
            c.execCommand({ agent: args.name, command: args.command, workdir: flags.workdir ?? '', env, timeoutMs }, { signal }),
          onOutput: (o) => (o.stream === WorkOutput_Stream.STDERR ? process.stderr : process.stdout).write(o.text),
          notify: (_level, message) => process.stderr.write(`sloth-runner: ${message}\n`),
          verdict: (message) =>
            new SlothError('unavailable', message, {
              hint: `\`sloth-runner agent get ${args.name}\` shows whether the agent is back`,
            }),
          what: 'the command',
          agent: args.name,
          address: conn.address,
          https: conn.https,
          signal: controller.signal,
        });
        if (!res.success && res.error && res.error !== `exit code ${res.exitCode}`)
          process.stderr.write(`sloth-runner: on ${args.name}: ${res.error}\n`);
        return res.exitCode ?? (res.success ? 0 : 1);
      });
      process.exitCode = exitCode;
    } catch (err) {
      if (interrupted) {
        process.stderr.write(`interrupted: the command on ${args.name} was cancelled\n`);
        process.exitCode = 130;
        return;
      }
      throw err;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
}
