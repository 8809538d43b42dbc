import { SlothCommand } from '../base-command.js';

export default class Version extends SlothCommand {
  static override summary = 'Show the version of sloth-runner, Node.js and the platform.';

  async run(): Promise<void> {
    this.log(`sloth-runner version ${this.config.version}`);
    this.log(`node ${process.version} ${process.platform}-${process.arch}`);
  }
}
