import { Flags } from '@oclif/core';
import { SlothCommand } from '../../base-command.js';
import { outputFlag } from '../../events-cli/flags.js';

export default class EventsList extends SlothCommand {
  static override summary = 'List events, newest first: type, status, source, stack, attempts.';
  static override flags = {
    type: Flags.string({ description: 'Only this event type, or a pattern: task.failed, task.*.' }),
    status: Flags.string({
      description: 'Only events in this status.',
      options: ['pending', 'processing', 'completed', 'failed'],
    }),
    run: Flags.string({ description: 'Only the events of this workflow run (its run_id).' }),
    limit: Flags.integer({ char: 'n', description: 'How many events to show.', default: 50, min: 1 }),
    output: outputFlag,
  };
  static override examples = [
    '<%= config.bin %> events list',
    '<%= config.bin %> events list --type "task.*" --status failed -n 20',
  ];

  async run(): Promise<void> {
    const { flags } = await this.parse(EventsList);
    const [{ checkEventPattern, SlothError }, { withStore }, { eventRepo }, f] = await Promise.all([
      import('@sloth/core/internal'),
      import('../../store-access.js'),
      import('@sloth/store-sqlite'),
      import('../../events-cli/format.js'),
    ]);
    if (flags.type !== undefined) {
      try {
        checkEventPattern(flags.type, '--type');
      } catch (err) {
        throw new SlothError('usage', (err as Error).message, { hint: 'e.g. --type task.failed or --type "task.*"' });
      }
    }
    const events = await withStore(flags['data-dir'], (store) =>
      eventRepo(store).list({
        type: flags.type,
        status: flags.status as 'pending' | undefined,
        runId: flags.run,
        limit: flags.limit,
      }),
    );
    if (flags.output === 'json') {
      this.log(JSON.stringify(events.map(f.eventJson), null, 2));
      return;
    }
    if (events.length === 0) {
      this.log('no events');
      return;
    }
    const rows = events.map((e) => [
      e.id,
      e.type,
      f.eventStatusText(e.status),
      e.source,
      e.stack ?? '',
      String(e.attempts),
      f.iso(e.createdAt),
      (e.error ?? '').split('\n')[0] ?? '',
    ]);
    this.log(f.table(['ID', 'Type', 'Status', 'Source', 'Stack', 'Attempts', 'Created', 'Error'], rows));
  }
}
