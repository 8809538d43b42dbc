import type { Agent, WatchAgentResponse, WatchEventsResponse } from '@sloth/proto';
import { useState } from 'preact/hooks';
import { AgentLabels, AgentStatus } from './agent-badges.js';
import { foldPoints, metricCharts, type Point } from './agent-metrics.js';
import { AgentWork } from './agent-work.js';
import { dashboard } from './client.js';
import { EventTable } from './events.js';
import { ExecOutput, useExec } from './exec-output.js';
import { formatBytes, formatDuration, formatTime } from './format.js';
import { Legend, Sparkline } from './sparkline.js';
import { TextField } from './text-field.js';
import { latest, useStream } from './use-stream.js';

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

/** The tabs of an agent's page, by the last part of their address (#/agents/NAME/TAB; the first has none). */
const TABS = [
  ['', 'Overview'],
  ['system', 'System'],
  ['metrics', 'Metrics'],
  ['work', 'Work'],
  ['events', 'Events'],
  ['exec', 'Run a command'],
] as const;

/** A tab of an agent's page, by the last part of its address. */
export type AgentTab = (typeof TABS)[number][0];

/** The tab an address names (an unknown one is the overview). */
export function agentTab(part: string): AgentTab {
  return TABS.find(([key]) => key === part)?.[0] ?? '';
}

/**
 * An agent's page (#/agents/NAME), in tabs that switch without a reload: its overview, the system info of its last
 * heartbeat, charts of its load, memory, disk and network that grow with each heartbeat, its work (running and past, each with
 * its output), the events it sent, and a box that runs a command on it (on a master's dashboard: `control`). The
 * agent's stream and a running command go on while another tab is shown.
 */
export function AgentPage({
  name,
  tab,
  workId,
  control,
  onUnauthenticated,
}: {
  name: string;
  tab: AgentTab;
  /** The piece of work opened on the Work tab (#/agents/NAME/work/ID). */
  workId: string | undefined;
  control: boolean;
  onUnauthenticated: () => void;
}) {
  const { value, error } = useStream((signal) => dashboard.watchAgent({ name }, { signal }), fold, [name], onUnauthenticated);
  const exec: ExecState = { command: useState(''), run: useExec(onUnauthenticated) };
  const a = value?.agent;
  const base = `#/agents/${encodeURIComponent(name)}`;
  return (
    <section class="agent-page">
      <p>
        <a href="#/agents">← Agents</a>
      </p>
      <h2>{name}</h2>
      {error && <p class="error">{error}</p>}
      {value && !a && <p class="empty">This agent is no longer registered.</p>}
      {a && (
        <>
          <div class="tabs" role="tablist" aria-label={`${name}'s page`}>
            {TABS.map(([key, title]) => (
              <a
                key={key}
                role="tab"
                href={key ? `${base}/${key}` : base}
                aria-selected={tab === key}
                class={tab === key ? 'current' : ''}
              >
                {title}
              </a>
            ))}
          </div>
          {tab === '' && <Overview agent={a} />}
          {tab === 'system' && <SystemInfo agent={a} />}
          {tab === 'metrics' && <Metrics points={value.points} cpus={a.system?.cpus ?? 0} />}
          {tab === 'work' && <AgentWork agent={name} workId={workId} onUnauthenticated={onUnauthenticated} />}
          {tab === 'events' && <AgentEvents agent={name} onUnauthenticated={onUnauthenticated} />}
          {tab === 'exec' && <ExecBox agent={name} control={control} exec={exec} />}
        </>
      )}
    </section>
  );
}

/** The Events tab: the events whose source is this agent (those its tasks dispatched), newest first. */
function AgentEvents({ agent, onUnauthenticated }: { agent: string; onUnauthenticated: () => void }) {
  const { value, error } = useStream(
    (signal) => dashboard.watchEvents({ source: `agent:${agent}` }, { signal }),
    latest<WatchEventsResponse>,
    [agent],
    onUnauthenticated,
  );
  const events = value?.events ?? [];
  return (
    <>
      <h3>Events</h3>
      {error && <p class="error">{error}</p>}
      {value && events.length === 0 && <p class="empty">No event from this agent is in the queue.</p>}
      {events.length > 0 && <EventTable events={events} />}
    </>
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
        <dd>
          <a href={`#/agents/${encodeURIComponent(a.name)}/work`}>{a.runningWork}</a>
        </dd>
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
          <dt>Network since boot</dt>
          <dd data-network>
            {s.netRxBytes === 0n && s.netTxBytes === 0n
              ? 'not reported'
              : `${formatBytes(s.netRxBytes)} in, ${formatBytes(s.netTxBytes)} out`}
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
                {c.title}: <span data-now>{c.now}</span> {c.legend && <Legend names={c.legend} />}
              </h4>
              <Sparkline values={c.values} second={c.second} max={c.max} label={c.title} />
            </div>
          ))}
        </div>
      )}
      <p class="meta">
        {points.length} point{points.length === 1 ? '' : 's'} since {formatTime(points[0]?.at ?? 0)}: the samples the master keeps
        (one per metrics interval), then each heartbeat while this page is open. Network is bytes per second between two points,
        over every interface but loopback; a counter that went back (a reboot) leaves a gap.
      </p>
    </>
  );
}

/** The exec box's state, the page's: the command typed, the one run and its output. */
interface ExecState {
  command: [string, (c: string) => void];
  run: ReturnType<typeof useExec>;
}

/** The exec box: its command (and the output of the last one) is the page's, kept while another tab is shown. */
function ExecBox({ agent, control, exec }: { agent: string; control: boolean; exec: ExecState }) {
  const [command, setCommand] = exec.command;
  return (
    <>
      <h3>Run a command</h3>
      {!control && (
        <p class="empty">
          Running a command needs a master: its dashboard (<code>sloth-runner master start --dashboard-port</code>), or{' '}
          <code>sloth-runner ui --master ADDRESS</code>. This <code>sloth-runner ui</code> has no master to send it through.
        </p>
      )}
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          void exec.run.run([agent], command);
        }}
      >
        <TextField label="Command" name="command" size={50} disabled={!control} value={command} onChange={setCommand} />
        <button type="submit" disabled={!control || command.trim() === ''}>
          Run on {agent}
        </button>
      </form>
      <ExecOutput parts={exec.run.parts} error={exec.run.error} />
    </>
  );
}
