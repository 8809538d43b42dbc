import { Args, Flags } from '@oclif/core';
import { SlothCommand } from '../../base-command.js';
import { outputFlag } from '../../events-cli/flags.js';

export default class HookAdd extends SlothCommand {
  static override summary = 'Register a Lua hook file (replacing a hook of the same name).';
  static override description =
    'The file is loaded and checked first: a Lua error is reported with its file and line, and a missing name, event_type or execute function is refused. Its source is copied into the data directory, so editing the file later changes nothing until you add it again.';
  static override args = { file: Args.string({ description: 'The hook file (Lua returning the hook table).', required: true }) };
  static override flags = {
    name: Flags.string({ description: 'The hook name (default: the name in the file).' }),
    event: Flags.string({
      description: 'The event type or pattern it reacts to: task.failed, task.*, * (default: event_type in the file).',
    }),
    stack: Flags.string({ description: 'Only events of this stack (default: stack in the file, else every stack).' }),
    timeout: Flags.string({ description: 'How long one execution may run: 30s, 5m (default: timeout in the file, else 30s).' }),
    'max-attempts': Flags.integer({
      description: 'Executions per event before it is failed (default: max_attempts in the file, else 3).',
      min: 1,
      max: 100,
    }),
    disabled: Flags.boolean({ description: 'Add it disabled (enable it with `hook enable NAME`).', default: false }),
    output: outputFlag,
  };
  static override examples = [
    '<%= config.bin %> hook add notify_failures.lua',
    '<%= config.bin %> hook add audit.lua --name audit_prod --event "deploy.*" --stack production',
  ];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(HookAdd);
    const [{ readHookFile }, { loadModules }, { withStore }, { hookRepo }, f] = await Promise.all([
      import('@sloth/events'),
      import('@sloth/builtin-modules'),
      import('../../store-access.js'),
      import('@sloth/store-sqlite'),
      import('../../events-cli/format.js'),
    ]);
    const def = await readHookFile(args.file, await loadModules(), {
      name: flags.name,
      eventType: flags.event,
      stack: flags.stack,
      timeout: flags.timeout,
      maxAttempts: flags['max-attempts'],
    });
    const { hook, replaced } = await withStore(flags['data-dir'], (store) =>
      hookRepo(store).save({ ...def, enabled: !flags.disabled }),
    );
    if (flags.output === 'json') {
      this.log(JSON.stringify(f.hookJson(hook, { replaced }), null, 2));
      return;
    }
    this.log(
      `${replaced ? 'replaced' : 'added'} hook ${hook.name}: ${hook.eventType}${hook.stack ? ` in stack ${hook.stack}` : ''}` +
        `, timeout ${f.ms(hook.timeoutMs)}, up to ${hook.maxAttempts} attempt(s)${hook.enabled ? '' : ' (disabled)'}`,
    );
  }
}
