import { SlothCommand } from '../../base-command.js';
import { hookNameArg, outputFlag } from '../../events-cli/flags.js';

export default class HookShow extends SlothCommand {
  static override summary = 'Show a hook: its settings, its stored source and its latest executions.';
  static override args = { name: hookNameArg };
  static override flags = { output: outputFlag };
  static override examples = ['<%= config.bin %> hook show notify_failures'];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(HookShow);
    const [{ withStore }, { hookRepo }, f] = await Promise.all([
      import('../../store-access.js'),
      import('@sloth/store-sqlite'),
      import('../../events-cli/format.js'),
    ]);
    const { hook, recent } = await withStore(flags['data-dir'], (store) => {
      const repo = hookRepo(store);
      return { hook: repo.get(args.name), recent: repo.history(args.name, 5) };
    });
    if (flags.output === 'json') {
      this.log(
        JSON.stringify(f.hookJson(hook, { source: hook.source, recent_executions: recent.map(f.executionJson) }), null, 2),
      );
      return;
    }
    this.log(`hook ${hook.name}${hook.enabled ? '' : ' (disabled)'}`);
    this.log(`  event:        ${hook.eventType}`);
    this.log(`  stack:        ${hook.stack ?? 'any'}`);
    this.log(`  timeout:      ${f.ms(hook.timeoutMs)}, up to ${hook.maxAttempts} attempt(s) per event`);
    this.log(`  added from:   ${hook.path}`);
    this.log(`  updated:      ${f.iso(hook.updatedAt)}`);
    this.log(`\nlatest executions (${recent.length}):`);
    for (const e of recent)
      this.log(`  ${f.iso(e.startedAt)} ${f.resultText(e)} ${e.eventId} #${e.attempt} ${f.ms(e.durationMs)} ${f.detail(e)}`);
    this.log('\nsource:');
    this.log(hook.source.replace(/\n$/, ''));
  }
}
