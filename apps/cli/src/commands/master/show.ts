import { Args } from '@oclif/core';
import { SlothCommand } from '../../base-command.js';
import { masterFlags, outputFlag } from '../../fleet-cli/flags.js';

export default class MasterShow extends SlothCommand {
  static override summary = 'Show a saved master (the default when NAME is omitted) and whether it answers.';
  static override args = { name: Args.string({ description: 'A saved master (default: the default one).' }) };
  static override flags = {
    output: outputFlag,
    token: masterFlags.token,
    'token-file': masterFlags['token-file'],
    ca: masterFlags.ca,
  };
  static override examples = ['<%= config.bin %> master show', '<%= config.bin %> master show production'];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(MasterShow);
    const [{ readMasters }, { findMaster }, { withControl }, { SlothError, errorMessage }, { Agent_Status }, { defaultDataDir }] =
      await Promise.all([
        import('../../fleet-cli/masters-file.js'),
        import('../../fleet-cli/masters-edit.js'),
        import('../../fleet-cli/connect.js'),
        import('@sloth/core'),
        import('@sloth/master/client'),
        import('@sloth/store-sqlite'),
      ]);
    const file = readMasters(flags['data-dir'] ?? defaultDataDir());
    const name = args.name ?? file.default;
    if (name === undefined) {
      throw new SlothError('not_found', 'no default master: none is saved', {
        hint: 'add one with `sloth-runner master add NAME HOST:PORT`',
      });
    }
    const m = findMaster(file, name);
    let status: string;
    let agents: { total: number; active: number } | undefined;
    try {
      const res = await withControl({ ...flags, master: m.address }, (c) => c.listAgents({}, { timeoutMs: 3000 }));
      agents = { total: res.agents.length, active: res.agents.filter((a) => a.status === Agent_Status.ACTIVE).length };
      status = `reachable: ${agents.total} agent(s), ${agents.active} active`;
    } catch (err) {
      status = `not usable: ${errorMessage(err)}`;
    }
    if (flags.output === 'json') {
      this.log(
        JSON.stringify(
          { ...m, default: m.name === file.default, reachable: agents !== undefined, agents: agents ?? null, status },
          null,
          2,
        ),
      );
      return;
    }
    this.log(
      [
        `name         ${m.name}${m.name === file.default ? ' (default)' : ''}`,
        `address      ${m.address}`,
        `description  ${m.description ?? '-'}`,
        `added        ${m.addedAt}`,
        `status       ${status}`,
      ].join('\n'),
    );
  }
}
