import type { Agent } from '@sloth/proto';
import { useState } from 'preact/hooks';
import { ExecOutput, useExec } from './exec-output.js';
import { TextField } from './text-field.js';

/** Whether an agent has every label of `selector` ("role=web,tier=1"; a key alone: any value). */
function matches(agent: Agent, selector: string): boolean {
  const wanted = selector
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return (
    wanted.length > 0 &&
    wanted.every((w) => {
      const eq = w.indexOf('=');
      const key = eq < 0 ? w : w.slice(0, eq).trim();
      return key in agent.labels && (eq < 0 || agent.labels[key] === w.slice(eq + 1).trim());
    })
  );
}

/**
 * Agent control: selects agents by label (or by their boxes on the list), runs a command on all of them and shows each
 * one's output as it streams. Leaving the page cancels what still runs.
 */
export function AgentControl(props: {
  agents: Agent[];
  selected: Set<string>;
  onSelect: (names: Set<string>) => void;
  onUnauthenticated: () => void;
}) {
  const [selector, setSelector] = useState('');
  const [command, setCommand] = useState('');
  const exec = useExec(props.onUnauthenticated);
  const selected = props.agents.filter((a) => props.selected.has(a.name)).map((a) => a.name);

  return (
    <section class="control">
      <h3>Agent control</h3>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          props.onSelect(new Set(props.agents.filter((a) => matches(a, selector)).map((a) => a.name)));
        }}
      >
        <TextField label="Select by label" name="selector" placeholder="role=web" value={selector} onChange={setSelector} />
        <button type="submit">Select</button>
        <button type="button" onClick={() => props.onSelect(new Set())}>
          Clear
        </button>
      </form>
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          void exec.run(selected, command);
        }}
      >
        <TextField label="Command" name="command" size={50} value={command} onChange={setCommand} />
        <button type="submit" disabled={selected.length === 0 || command.trim() === ''}>
          Run on {selected.length} agent{selected.length === 1 ? '' : 's'}
        </button>
      </form>
      <ExecOutput parts={exec.parts} error={exec.error} />
    </section>
  );
}
