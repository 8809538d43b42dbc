import { Args, Flags } from '@oclif/core';
import { SlothCommand } from '../../base-command.js';
import { keyArg, outputFlag } from '../../state-cli/flags.js';

export default class StateSet extends SlothCommand {
  static override summary = 'Set a state key, as state.set does in a workflow.';
  static override args = {
    key: keyArg,
    value: Args.string({ description: 'The value (a string, or JSON with --json).', required: true }),
  };
  static override flags = {
    ttl: Flags.string({ description: 'Time to live: seconds or a duration like 30m, 1h; the key never expires without it.' }),
    json: Flags.boolean({ description: 'Parse VALUE as JSON (numbers, booleans, objects, lists).', default: false }),
    output: outputFlag,
  };
  static override examples = [
    '<%= config.bin %> state set maintenance on --ttl 1h',
    '<%= config.bin %> state set replicas 3 --json',
    `<%= config.bin %> state set release '{"version":"v2.1.0"}' --json`,
  ];

  async run(): Promise<void> {
    const { args, flags } = await this.parse(StateSet);
    const [{ withState }, f, { SlothError, parseDuration }] = await Promise.all([
      import('../../state-cli/open.js'),
      import('../../state-cli/format.js'),
      import('@sloth/core'),
    ]);
    let value: unknown = args.value;
    if (flags.json) {
      try {
        value = JSON.parse(args.value);
      } catch (err) {
        throw new SlothError('usage', `VALUE is not valid JSON: ${(err as Error).message}`, {
          hint: 'quote strings ("\\"text\\"") or leave out --json to store the text as it is',
        });
      }
      if (value === null)
        throw new SlothError('usage', 'VALUE is null: state cannot hold nil', { hint: 'use `sloth-runner state delete KEY`' });
    }
    let ttlMs: number | undefined;
    try {
      ttlMs = flags.ttl === undefined ? undefined : parseDuration(flags.ttl, 'ttl');
    } catch (err) {
      throw new SlothError('usage', `--ttl: ${(err as Error).message}`, { hint: 'seconds, or a duration like 30s, 10m, 1h' });
    }
    if (ttlMs === 0)
      throw new SlothError('usage', '--ttl must be more than 0', { hint: 'leave --ttl out for a key that never expires' });
    const entry = await withState(flags['data-dir'], (repo) => {
      repo.set(args.key, value, ttlMs);
      return repo.entry(args.key);
    });
    if (!entry) throw new SlothError('internal', `state key '${args.key}' vanished right after it was set`);
    if (flags.output === 'json') this.log(JSON.stringify(f.entryJson(entry), null, 2));
    else this.log(`set ${args.key} = ${f.cell(entry.value)} (expires: ${f.ttlText(entry.expiresAt)})`);
  }
}
