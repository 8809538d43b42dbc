import { SlothCommand } from '../../base-command.js';

export default class MasterStop extends SlothCommand {
  static override summary = 'Stop the master started with `master start --daemon` on this data directory (by its pid file).';
  static override description =
    'Sends SIGTERM to the pid in master.pid of the data directory, waits (up to 20s) until the master has closed its agent streams and exited, and removes the pid file. A pid file whose process is gone is reported and removed.';
  static override examples = ['<%= config.bin %> master stop', '<%= config.bin %> master stop --data-dir /var/lib/sloth'];

  async run(): Promise<void> {
    const { flags } = await this.parse(MasterStop);
    const { stopInBackground } = await import('../../daemon-cli.js');
    await stopInBackground(this, {
      what: 'the master',
      file: 'master',
      dataDir: flags['data-dir'],
      startCommand: 'sloth-runner master start --daemon',
    });
  }
}
