import { Args } from '@oclif/core';
import { SlothCommand } from '../../base-command.js';
import { outputFlag } from '../../events-cli/flags.js';

export default class EventsShow extends SlothCommand {
  static override summary = 'Show an event: its data, status and every hook execution it caused.';
  static override args = { id: Args.string({ description: 'The event id (or a unique prefix of it).', required: true }) };
  static override flags = { output: outputFlag };
  static override examples = ['<%= config.bin %> events show 01JB3Z7K9QG3V4W8X2N5R6T7Y8'];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(EventsShow);
    const [{ SlothError }, { withStore }, { eventRepo }, f] = await Promise.all([
      import('@sloth/core'),
      import('../../store-access.js'),
      import('@sloth/store-sqlite'),
      import('../../events-cli/format.js'),
    ]);
    const { event, executions } = await withStore(flags['data-dir'], (store) => {
      const repo = eventRepo(store);
      const found = repo.find(args.id);
      if (!found) {
        throw new SlothError('not_found', `no event with id '${args.id}'`, {
          hint: 'see `sloth-runner events list` (old events are removed by `events cleanup`)',
        });
      }
      return { event: found, executions: repo.executionsOf(found.id) };
    });
    if (flags.output === 'json') {
      this.log(JSON.stringify({ ...f.eventJson(event), hook_executions: executions.map(f.executionJson) }, null, 2));
      return;
    }
    this.log(`event ${event.id}: ${event.type} ${f.eventStatusText(event.status)}`);
    this.log(
      `  source:     ${event.source}${event.stack ? `, stack ${event.stack}` : ''}${event.runId ? `, run ${event.runId}` : ''}`,
    );
    // Only for events a hook dispatched: how far down a chain of hooks it is (at most MAX_EVENT_DEPTH).
    if (event.depth > 0)
      this.log(`  depth:      ${event.depth} (dispatched by a hook handling an event of depth ${event.depth - 1})`);
    this.log(`  created:    ${f.iso(event.createdAt)}${event.processedAt ? `, processed ${f.iso(event.processedAt)}` : ''}`);
    this.log(`  attempts:   ${event.attempts}`);
    if (event.error) this.log(`  error:      ${event.error}`);
    this.log(`  data:       ${JSON.stringify(event.data, null, 2).replaceAll('\n', '\n              ')}`);
    this.log(`\nhook executions (${executions.length}):`);
    if (executions.length > 0) {
      const rows = executions.map((e) => [
        e.hook,
        String(e.attempt),
        f.resultText(e),
        f.ms(e.durationMs),
        f.iso(e.startedAt),
        f.detail(e),
      ]);
      this.log(f.table(['Hook', 'Attempt', 'Result', 'Took', 'Started', 'Output / error'], rows));
    }
  }
}
