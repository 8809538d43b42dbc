import { Flags } from '@oclif/core';
import { SlothCommand } from '../../base-command.js';
import { hookNameArg, outputFlag } from '../../events-cli/flags.js';

export default class HookHistory extends SlothCommand {
  static override summary = "A hook's executions, newest first: event, attempt, result, duration, output or error.";
  static override args = { name: hookNameArg };
  static override flags = {
    limit: Flags.integer({ char: 'n', description: 'How many executions to show.', default: 20, min: 1 }),
    output: outputFlag,
  };
  static override examples = ['<%= config.bin %> hook history notify_failures --limit 20'];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(HookHistory);
    const [{ withStore }, { hookRepo, eventRepo }, f] = await Promise.all([
      import('../../store-access.js'),
      import('@sloth/store-sqlite'),
      import('../../events-cli/format.js'),
    ]);
    const rows = await withStore(flags['data-dir'], (store) => {
      const repo = hookRepo(store);
      // A removed hook still has its history: look it up only when there is none, for the did-you-mean.
      const history = repo.history(args.name, flags.limit);
      if (history.length === 0) repo.get(args.name);
      const events = eventRepo(store);
      return history.map((e) => ({ e, type: events.find(e.eventId)?.type ?? '(cleaned up)' }));
    });
    if (flags.output === 'json') {
      this.log(
        JSON.stringify(
          rows.map(({ e, type }) => ({ ...f.executionJson(e), event_type: type })),
          null,
          2,
        ),
      );
      return;
    }
    if (rows.length === 0) {
      this.log(`hook '${args.name}' has not run yet`);
      return;
    }
    this.log(
      f.table(
        ['Started', 'Event', 'Type', 'Attempt', 'Result', 'Took', 'Output / error'],
        rows.map(({ e, type }) => [
          f.iso(e.startedAt),
          e.eventId,
          type,
          String(e.attempt),
          f.resultText(e),
          f.ms(e.durationMs),
          f.detail(e),
        ]),
      ),
    );
  }
}
