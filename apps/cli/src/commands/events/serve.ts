import { Flags } from '@oclif/core';
import { SlothCommand } from '../../base-command.js';
import { LineSink } from '../../render/line-sink.js';

export default class EventsServe extends SlothCommand {
  static override summary = 'Process the event queue: run the hooks of every pending event, until Ctrl-C.';
  static override description =
    'A standalone processor for the data directory: takes back events a dead process left half-done, runs matching hooks with bounded concurrency, and retries failed ones with back-off. Several may run at once (each event is leased to one). SIGINT or SIGTERM: stop claiming, let running hooks finish (up to --grace), put back the rest, exit 0.';
  static override flags = {
    concurrency: Flags.integer({ description: 'Events processed at once.', default: 16, min: 1, max: 1000 }),
    grace: Flags.string({
      description: 'On Ctrl-C, how long running hooks may take to finish before they are stopped.',
      default: '10s',
    }),
    'retry-delay': Flags.string({
      description: 'Delay before the first retry of a failed hook; doubled each time (at most 60s).',
      default: '1s',
    }),
    poll: Flags.string({
      description: 'When idle, how often to look for retries that came due (an event another process commits wakes it at once).',
      default: '250ms',
    }),
  };
  static override examples = ['<%= config.bin %> events serve', '<%= config.bin %> events serve --concurrency 64'];

  async run(): Promise<void> {
    const { flags } = await this.parse(EventsServe);
    const [
      { SlothError, parseDuration, errorMessage },
      { withStore },
      { EventProcessor },
      { createHookRunner, failureReporter },
      { loadModules },
    ] = await Promise.all([
      import('@sloth/core'),
      import('../../store-access.js'),
      import('@sloth/events'),
      import('../../events-cli/hook-processing.js'),
      import('@sloth/builtin-modules'),
    ]);
    const duration = (flag: string, value: string) => {
      try {
        return parseDuration(/^\d+$/.test(value) ? Number(value) : value, flag);
      } catch (err) {
        throw new SlothError('usage', `${flag}: ${errorMessage(err)}`, { hint: 'a duration like 500ms, 10s or 1m' });
      }
    };
    const graceMs = duration('--grace', flags.grace);
    const retryDelayMs = duration('--retry-delay', flags['retry-delay']);
    const pollMs = Math.max(10, duration('--poll', flags.poll));
    // A line per hook execution: buffered, or writing them would cost the processor as much as running trivial hooks.
    const out = new LineSink(process.stdout);
    const errors = new LineSink(process.stderr);
    const err = (line: string) => errors.write(line);
    const flush = () => {
      out.flush();
      errors.flush();
    };
    try {
      await withStore(flags['data-dir'], async (store) => {
        const runner = createHookRunner(store, await loadModules(), err);
        const reportFailure = failureReporter(err);
        const processor = new EventProcessor({
          store,
          runner,
          concurrency: flags.concurrency,
          retryDelayMs,
          pollMs,
          // Successes go to stdout, failures (with whether they will be retried) to stderr.
          onExecution: (hook, event, r, attempt) => {
            if (r.success)
              out.write(
                `✓ ${hook.name} ${event.type} ${event.id} #${attempt} ${Math.round(r.durationMs)}ms${r.output ? `: ${r.output}` : ''}`,
              );
            else reportFailure?.(hook, event, r, attempt);
          },
          onError: (message) => err(`events: ${message}`),
        });
        let signals = 0;
        const onSignal = (signal: NodeJS.Signals) => {
          signals += 1;
          if (signals > 1) {
            err(`${signal} again: exiting now (events in progress are taken back by the next processor)`);
            flush();
            process.exit(130);
          }
          err(`${signal} received: stopping (running hooks get ${flags.grace} to finish)`);
          void processor.stop(graceMs);
        };
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
        try {
          await processor.warmUp();
          err(`processing events in ${store.path} (concurrency ${flags.concurrency}); Ctrl-C to stop`);
          await processor.run();
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          await runner.close();
        }
        err('stopped');
      });
    } finally {
      flush();
    }
  }
}
