import type { WatchAgentsResponse } from '@sloth/proto';
import { useState } from 'preact/hooks';
import { AgentLabels, AgentStatus } from './agent-badges.js';
import { AgentControl } from './agent-control.js';
import { dashboard } from './client.js';
import { formatTime } from './format.js';
import { latest, useStream } from './use-stream.js';

/**
 * The Agents screen: every registered agent (a link to its page) with its load (1-minute average) and running work, updated as the server
 * pushes changes; on a master's dashboard (`control`), boxes to select agents and the agent control under the list.
 */
export function Agents({ control, onUnauthenticated }: { control: boolean; onUnauthenticated: () => void }) {
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const { value, error } = useStream(
    (signal) => dashboard.watchAgents({}, { signal }),
    latest<WatchAgentsResponse>,
    [],
    onUnauthenticated,
  );
  const agents = value?.agents ?? [];
  return (
    <section>
      <h2>Agents</h2>
      {error && <p class="error">{error}</p>}
      {value && agents.length === 0 && <p class="empty">No agent has registered with this master yet.</p>}
      {agents.length > 0 && (
        <table class="agents">
          <thead>
            <tr>
              {control && <th />}
              <th>Name</th>
              <th>Address</th>
              <th>Status</th>
              <th>Last heartbeat</th>
              <th>Version</th>
              <th>Load</th>
              <th>Running</th>
              <th>Labels</th>
            </tr>
          </thead>
          <tbody>
            {agents.map((a) => {
              return (
                <tr key={a.name} data-agent={a.name}>
                  {control && (
                    <td>
                      <input
                        type="checkbox"
                        aria-label={`select ${a.name}`}
                        checked={selected.has(a.name)}
                        onChange={(e) => {
                          const next = new Set(selected);
                          if ((e.target as HTMLInputElement).checked) next.add(a.name);
                          else next.delete(a.name);
                          setSelected(next);
                        }}
                      />
                    </td>
                  )}
                  <td>
                    <a href={`#/agents/${encodeURIComponent(a.name)}`}>{a.name}</a>
                  </td>
                  <td data-address>{a.address}</td>
                  <td>
                    <AgentStatus agent={a} />
                  </td>
                  <td>{formatTime(a.lastHeartbeatMs)}</td>
                  <td>{a.version}</td>
                  <td data-load>{a.system ? a.system.load1.toFixed(2) : ''}</td>
                  <td>{a.runningWork}</td>
                  <td>
                    <AgentLabels agent={a} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {control && agents.length > 0 && (
        <AgentControl agents={agents} selected={selected} onSelect={setSelected} onUnauthenticated={onUnauthenticated} />
      )}
    </section>
  );
}
