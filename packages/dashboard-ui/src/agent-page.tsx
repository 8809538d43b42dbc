import type { Agent, WatchAgentResponse } from '@sloth/proto';
import { useState } from 'preact/hooks';
import { AgentLabels, AgentStatus } from './agent-badges.js';
import { foldPoints, metricCharts, type Point } from './agent-metrics.js';
import { dashboard } from './client.js';
import { ExecOutput, useExec } from './exec-output.js';
import { formatBytes, formatDuration, formatTime } from './format.js';
import { Sparkline } from './sparkline.js';
import { TextField } from './text-field.js';
import { useStream } from './use-stream.js';

/** Points kept on the page at most (the oldest go first). */
const MAX_POINTS = 240;

/** What the page shows: the agent now, and the points of its charts. */
interface AgentState {
  agent: Agent | undefined;
  points: Point[];
}

function fold(state: AgentState | undefined, m: WatchAgentResponse): AgentState {
  return { agent: m.agent, points: foldPoints(state?.points ?? [], m.samples, m.agent, MAX_POINTS) };
}

/**
 * An agent's page (#/agents/NAME): its overview, the system info of its last heartbeat, charts of its load, memory and
 * disk that grow with each heartbeat, and a box that runs a command on it (on a master's dashboard: `control`).
 */
export function AgentPage({
  name,
  control,
  onUnauthenticated,
}: {
  name: string;
  control: boolean;
  onUnauthenticated: () => void;
}) {
  const { value, error } = useStream((signal) => dashboard.watchAgent({ name }, { signal }), fold, [name], onUnauthenticated);
  const a = value?.agent;
  return (
    <section class="agent-page">
      <p>
        <a href="#/agents">← Agents</a>
      </p>
      <h2>{name}</h2>
      {error && <p class="error">{error}</p>}
      {value && !a && <p class="empty">This agent is no longer registered.</p>}
      {a && <Overview agent={a} />}
      {a && <SystemInfo agent={a} />}
      {value && a && <Metrics points={value.points} cpus={a.system?.cpus ?? 0} />}
      {a && <ExecBox agent={name} control={control} onUnauthenticated={onUnauthenticated} />}
    </section>
  );
}

function Overview({ agent: a }: { agent: Agent }) {
  return (
    <>
      <h3>Overview</h3>
      <dl data-section="overview">
        <dt>Address</dt>
        <dd>{a.address}</dd>
        <dt>Status</dt>
        <dd>
          <AgentStatus agent={a} />
        </dd>
        <dt>Last heartbeat</dt>
        <dd data-heartbeat={String(a.lastHeartbeatMs)}>{formatTime(a.lastHeartbeatMs)}</dd>
        <dt>Registered</dt>
        <dd>{formatTime(a.registeredAtMs)}</dd>
        <dt>Version</dt>
        <dd>{a.version}</dd>
        <dt>Running work</dt>
        <dd>{a.runningWork}</dd>
        <dt>Labels</dt>
        <dd>
          <AgentLabels agent={a} />
        </dd>
      </dl>
    </>
  );
}

function SystemInfo({ agent }: { agent: Agent }) {
  const s = agent.system;
  return (
    <>
      <h3>System</h3>
      {!s ? (
        <p class="empty">This agent has not reported its system yet.</p>
      ) : (
        <dl data-section="system">
          <dt>Host name</dt>
          <dd>{s.hostname}</dd>
          <dt>OS</dt>
          <dd data-os>
            {s.os} ({s.arch})
          </dd>
          <dt>CPUs</dt>
          <dd data-cpus>{s.cpus}</dd>
          <dt>Load (1, 5, 15 min)</dt>
          <dd>{[s.load1, s.load5, s.load15].map((l) => l.toFixed(2)).join(', ')}</dd>
          <dt>Memory</dt>
          <dd data-memory>
            {formatBytes(s.memoryTotalBytes - s.memoryFreeBytes)} used of {formatBytes(s.memoryTotalBytes)}
          </dd>
          <dt>Disk</dt>
          <dd>
            {formatBytes(s.diskTotalBytes - s.diskFreeBytes)} used of {formatBytes(s.diskTotalBytes)}
          </dd>
          <dt>Up for</dt>
          <dd>{formatDuration(s.uptimeSeconds * 1000)}</dd>
        </dl>
      )}
    </>
  );
}

function Metrics({ points, cpus }: { points: Point[]; cpus: number }) {
  const charts = metricCharts(points, cpus);
  return (
    <>
      <h3>Metrics</h3>
      {points.length === 0 ? (
        <p class="empty">No heartbeat with system info yet.</p>
      ) : (
        <div class="metrics">
          {charts.map((c) => (
            <div class="metric" key={c.key} data-metric={c.key} data-points={c.values.length}>
              <h4>
                {c.title}: <span data-now>{c.now}</span>
              </h4>
              <Sparkline values={c.values} max={c.max} label={c.title} />
            </div>
          ))}
        </div>
      )}
      <p class="meta">
        {points.length} point{points.length === 1 ? '' : 's'} since {formatTime(points[0]?.at ?? 0)}: the samples the master keeps
        (one per metrics interval), then each heartbeat while this page is open.
      </p>
    </>
  );
}

function ExecBox({ agent, control, onUnauthenticated }: { agent: string; control: boolean; onUnauthenticated: () => void }) {
  const [command, setCommand] = useState('');
  const exec = useExec(onUnauthenticated);
  return (
    <>
      <h3>Run a command</h3>
      {!control && (
        <p class="empty">
          Running a command needs the master's dashboard (<code>sloth-runner master start --dashboard-port</code>):{' '}
          <code>sloth-runner ui</code> has no master to send it through.
        </p>
      )}
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          void exec.run([agent], command);
        }}
      >
        <TextField label="Command" name="command" size={50} disabled={!control} value={command} onChange={setCommand} />
        <button type="submit" disabled={!control || command.trim() === ''}>
          Run on {agent}
        </button>
      </form>
      <ExecOutput parts={exec.parts} error={exec.error} />
    </>
  );
}
