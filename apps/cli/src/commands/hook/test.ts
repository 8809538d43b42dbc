import { Flags } from '@oclif/core';
import { SlothCommand } from '../../base-command.js';
import { hookNameArg, outputFlag } from '../../events-cli/flags.js';

export default class HookTest extends SlothCommand {
  static override summary = 'Run a hook once now, with a test event, and show what it returned.';
  static override description =
    'The event is made up (source "cli:hook-test") and is not stored; neither is the execution. Disabled hooks can be tested too. Exit code 0 when the hook succeeded, 1 when it failed, raised an error or timed out.';
  static override args = { name: hookNameArg };
  static override flags = {
    data: Flags.string({ description: 'The event data, as a JSON object (event.data in the hook).', default: '{}' }),
    type: Flags.string({ description: 'The event type (default: the hook\'s event_type, with "test" for a wildcard).' }),
    output: outputFlag,
  };
  static override examples = [
    '<%= config.bin %> hook test notify_failures',
    `<%= config.bin %> hook test notify_failures --data '{"task":{"task_name":"build","error":"exit 1"}}'`,
  ];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(HookTest);
    const [{ SlothError, checkEventType }, { withStore }, { hookRepo, newEventId }, { createHookRunner }, f, { loadModules }] =
      await Promise.all([
        import('@sloth/core/internal'),
        import('../../store-access.js'),
        import('@sloth/store-sqlite'),
        import('../../events-cli/hook-processing.js'),
        import('../../events-cli/format.js'),
        import('@sloth/builtin-modules'),
      ]);
    let data: unknown;
    try {
      data = JSON.parse(flags.data);
    } catch (err) {
      throw new SlothError('usage', `--data is not valid JSON: ${(err as Error).message}`, {
        hint: `give a JSON object, e.g. --data '{"task":{"task_name":"build"}}'`,
      });
    }
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
      throw new SlothError('usage', '--data must be a JSON object (what the hook reads as event.data)', {
        hint: `e.g. --data '{"deploy_id":"deploy-123"}'`,
      });
    }
    const result = await withStore(flags['data-dir'], async (store) => {
      const hook = hookRepo(store).get(args.name);
      let type = flags.type ?? hook.eventType.replaceAll('*', 'test');
      if (!type.includes('.')) type = `${type}.event`;
      try {
        checkEventType(type, '--type');
      } catch (err) {
        throw new SlothError('usage', (err as Error).message, { hint: (err as InstanceType<typeof SlothError>).hint });
      }
      const now = Date.now();
      const event = {
        id: newEventId(now),
        type,
        source: 'cli:hook-test',
        stack: hook.stack,
        runId: undefined,
        data: data as Record<string, unknown>,
        depth: 0,
        attempts: 1,
        createdAt: now,
      };
      const runner = createHookRunner(store, await loadModules(), (line) => process.stderr.write(`${line}\n`));
      try {
        return { event, r: await runner.execute(hook, event, 1) };
      } finally {
        await runner.close();
      }
    });
    const { event, r } = result;
    if (flags.output === 'json') {
      const doc = {
        event: { id: event.id, type: event.type, data: event.data },
        success: r.success,
        output: r.output ?? null,
        error: r.error ?? null,
        duration_ms: Math.round(r.durationMs),
      };
      this.log(JSON.stringify(doc, null, 2));
    } else if (r.success) {
      this.log(`ok (${f.ms(r.durationMs)})${r.output ? `: ${r.output}` : ''}`);
    } else {
      this.log(`failed (${f.ms(r.durationMs)}): ${r.error}`);
    }
    if (!r.success) process.exitCode = 1;
  }
}
