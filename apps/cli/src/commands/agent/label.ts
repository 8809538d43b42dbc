import { Args } from '@oclif/core';
import { SlothError } from '@sloth/core';
import { SlothCommand } from '../../base-command.js';
import { agentNameArg, masterFlags, outputFlag } from '../../fleet-cli/flags.js';

export default class AgentLabel extends SlothCommand {
  static override summary =
    'Set (k=v) or remove (k-) labels of an agent; the master keeps them over the labels the agent starts with.';
  static override description =
    'Labels set here are stored by the master and win over the `--labels` the agent registers with, across restarts of either; `k-` removes a label (the agent’s own too). Selection by labels (`:delegate_to({ labels = ... })`, `load_balancer`, `agent list --labels`) sees them at once.';
  static override args = {
    name: agentNameArg,
    labels: Args.string({ description: 'k=v to set, k- to remove (several allowed).', required: true }),
  };
  static override strict = false;
  static override flags = { ...masterFlags, output: outputFlag };
  static override examples = [
    '<%= config.bin %> agent label web-01 role=web env=prod',
    '<%= config.bin %> agent label web-01 env-',
  ];

  async run(): Promise<void> {
    const { args, argv, flags } = await this.parse(AgentLabel);
    const { set, remove } = labelChange((argv as string[]).slice(1));
    const [{ withControl }, f] = await Promise.all([import('../../fleet-cli/connect.js'), import('../../fleet-cli/format.js')]);
    const { agent } = await withControl(flags, (c) => c.labelAgent({ name: args.name, set, remove }));
    if (!agent) throw new SlothError('internal', `the master did not answer with agent ${args.name}`);
    if (flags.output === 'json') {
      this.log(JSON.stringify(f.agentJson(agent), null, 2));
      return;
    }
    this.log(`agent ${agent.name} labels: ${f.labelsText(agent.labels) || '(none)'}`);
  }
}

/** `role=web env-` as the labels to set and those to remove. */
function labelChange(words: string[]): { set: Record<string, string>; remove: string[] } {
  const set: Record<string, string> = {};
  const remove: string[] = [];
  for (const word of words) {
    const at = word.indexOf('=');
    if (at > 0) set[word.slice(0, at)] = word.slice(at + 1);
    else if (word.endsWith('-') && word.length > 1 && at < 0) remove.push(word.slice(0, -1));
    else {
      throw new SlothError('usage', `agent label: '${word}' is neither key=value nor key-`, {
        hint: 'e.g. `sloth-runner agent label web-01 role=web` to set, `sloth-runner agent label web-01 role-` to remove',
      });
    }
  }
  return { set, remove };
}
