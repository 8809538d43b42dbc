import { Flags } from '@oclif/core';
import { SlothCommand } from '../../base-command.js';
import { outputFlag } from '../../events-cli/flags.js';

export default class EventsCleanup extends SlothCommand {
  static override summary = 'Delete events older than a given age, with their hook executions.';
  static override description =
    'Completed and failed events are deleted; pending ones (not processed yet) only with --include-pending; events being processed never.';
  static override flags = {
    'older-than': Flags.string({ description: 'Age of the events to delete: 24h, 7d is 168h, 30m.', default: '24h' }),
    'include-pending': Flags.boolean({ description: 'Also delete old events no processor has handled yet.', default: false }),
    output: outputFlag,
  };
  static override examples = [
    '<%= config.bin %> events cleanup --older-than 24h',
    '<%= config.bin %> events cleanup --older-than 168h --include-pending',
  ];

  async run(): Promise<void> {
    const { flags } = await this.parse(EventsCleanup);
    const [{ SlothError, parseDuration, errorMessage }, { withStore }, { eventRepo }] = await Promise.all([
      import('@sloth/core'),
      import('../../store-access.js'),
      import('@sloth/store-sqlite'),
    ]);
    let ageMs: number;
    try {
      ageMs = parseDuration(
        /^\d+$/.test(flags['older-than']) ? Number(flags['older-than']) : flags['older-than'],
        '--older-than',
      );
    } catch (err) {
      throw new SlothError('usage', `--older-than: ${errorMessage(err)}`, { hint: 'a duration like 24h, 30m or 1h30m' });
    }
    const removed = await withStore(flags['data-dir'], (store) =>
      eventRepo(store).cleanup(Date.now() - ageMs, flags['include-pending']),
    );
    if (flags.output === 'json') {
      this.log(JSON.stringify({ removed_events: removed.events, removed_hook_executions: removed.executions }, null, 2));
      return;
    }
    this.log(`removed ${removed.events} event(s) older than ${flags['older-than']} and ${removed.executions} hook execution(s)`);
  }
}
