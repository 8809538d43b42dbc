import { SlothCommand } from '../../base-command.js';
import { agentNameArg, masterFlags } from '../../fleet-cli/flags.js';

export default class AgentShell extends SlothCommand {
  static override summary = 'Open an interactive shell on an agent, in a pseudo-terminal there: its exit code becomes ours.';
  static override description =
    "The agent starts its user's shell ($SHELL, else the login shell) in its home directory. On a terminal here, keys go to the remote shell as they are typed (Ctrl-C included) and window resizes follow; from a pipe, the input is typed into it and its end is a Ctrl-D. The session, and the shell with everything it started in its process group, ends when the shell exits, when this command is killed, or when the master or the agent goes away. The master records each session as an event (agent.shell_started, agent.shell_ended), never what is typed or printed. Exit code: the remote shell's (128+N when a signal killed it); 2 when the master or the agent cannot be used or the session was cut; 130 when interrupted (SIGTERM/SIGHUP here).";
  static override args = { name: agentNameArg };
  static override flags = { ...masterFlags };
  static override examples = [
    '<%= config.bin %> agent shell web-01',
    'echo "uptime; exit" | <%= config.bin %> agent shell web-01',
  ];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(AgentShell);
    const [{ withControl }, { LocalTerminal }, { runRemoteShell }] = await Promise.all([
      import('../../fleet-cli/connect.js'),
      import('../../fleet-cli/local-terminal.js'),
      import('../../fleet-cli/remote-shell.js'),
    ]);
    const controller = new AbortController();
    let interrupted = false;
    const onSignal = () => {
      interrupted = true;
      controller.abort();
    };
    // On a terminal Ctrl-C is a byte for the remote shell; SIGINT still comes from `kill` or from a pipe's terminal.
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, onSignal);
    const terminal = new LocalTerminal();
    try {
      process.exitCode = await withControl(flags, (client, conn) =>
        runRemoteShell({
          client,
          agent: args.name,
          terminal,
          address: conn.address,
          https: conn.https,
          signal: controller.signal,
        }),
      );
    } catch (err) {
      if (interrupted) {
        process.stderr.write(`interrupted: the shell session on ${args.name} was closed\n`);
        process.exitCode = 130;
        return;
      }
      throw err;
    } finally {
      terminal.restore();
      for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(s, onSignal);
    }
  }
}
