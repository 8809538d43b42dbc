import { Code, ConnectError } from '@connectrpc/connect';
import { type Agent, WorkOutput_Stream } from '@sloth/proto';
import { useEffect, useRef, useState } from 'preact/hooks';
import { dashboard } from './client.js';

/** One agent's part of a command: its output so far and how it ended. */
interface Part {
  lines: { text: string; stderr: boolean }[];
  /** running, or how it ended (exit 0, exit 2: why, not run: why). */
  status: string;
  ok: boolean | undefined;
}

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
  const [parts, setParts] = useState<Record<string, Part>>({});
  const [error, setError] = useState<string | undefined>();
  const running = useRef<AbortController | undefined>(undefined);
  useEffect(() => () => running.current?.abort(), []);
  const selected = props.agents.filter((a) => props.selected.has(a.name)).map((a) => a.name);

  const run = async (e: Event) => {
    e.preventDefault();
    running.current?.abort();
    const abort = new AbortController();
    running.current = abort;
    setError(undefined);
    const state: Record<string, Part> = Object.fromEntries(
      selected.map((a) => [a, { lines: [], status: 'running', ok: undefined }]),
    );
    setParts({ ...state });
    try {
      for await (const r of dashboard.execOnAgents({ agents: selected, command }, { signal: abort.signal })) {
        const part = state[r.agent];
        if (!part) continue;
        const m = r.msg;
        if (m.case === 'output')
          part.lines = [...part.lines, { text: m.value.text, stderr: m.value.stream === WorkOutput_Stream.STDERR }];
        else if (m.case === 'result') {
          part.ok = m.value.success;
          part.status = [m.value.exitCode === undefined ? '' : `exit ${m.value.exitCode}`, m.value.error]
            .filter(Boolean)
            .join(': ');
        } else if (m.case === 'failed') {
          part.ok = false;
          part.status = `not run: ${m.value.message}`;
        }
        setParts({ ...state });
      }
    } catch (err) {
      if (abort.signal.aborted) return;
      const c = ConnectError.from(err);
      if (c.code === Code.Unauthenticated) return props.onUnauthenticated();
      setError(c.rawMessage);
    }
  };

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
        <label>
          Select by label{' '}
          <input
            name="selector"
            placeholder="role=web"
            value={selector}
            onInput={(e) => setSelector((e.target as HTMLInputElement).value)}
          />
        </label>
        <button type="submit">Select</button>
        <button type="button" onClick={() => props.onSelect(new Set())}>
          Clear
        </button>
      </form>
      <form class="filters" onSubmit={run}>
        <label>
          Command{' '}
          <input name="command" size={50} value={command} onInput={(e) => setCommand((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit" disabled={selected.length === 0 || command.trim() === ''}>
          Run on {selected.length} agent{selected.length === 1 ? '' : 's'}
        </button>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {Object.entries(parts).map(([agent, p]) => (
        <div class="task" key={agent} data-output={agent}>
          <h3>
            {agent}{' '}
            <span class={`status ${p.ok === undefined ? 'running' : p.ok ? 'success' : 'failed'}`} data-status>
              {p.status}
            </span>
          </h3>
          <pre class="log">
            {p.lines.map((l, i) => (
              <span key={i} class={l.stderr ? 'stderr' : ''}>
                {l.text}
              </span>
            ))}
          </pre>
        </div>
      ))}
    </section>
  );
}
