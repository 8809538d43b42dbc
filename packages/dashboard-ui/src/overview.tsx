import type { OverviewAgent, OverviewHost, WatchOverviewResponse } from '@sloth/proto';
import type { ComponentChildren } from 'preact';
import { AgentStatus } from './agent-badges.js';
import { foldPoints, metricCharts, type Point } from './agent-metrics.js';
import { dashboard } from './client.js';
import { RunTable } from './runs.js';
import { Legend, Sparkline } from './sparkline.js';
import { useStream } from './use-stream.js';

/** Points kept per agent on the overview at most (the oldest go first). */
const MAX_POINTS = 120;
/** The statuses of today's runs, in the order shown (any other one the server counts follows them). */
const RUN_STATUSES = ['running', 'success', 'failed', 'aborted', 'timeout', 'interrupted'];

/** What the overview shows: the last message, and the chart points so far of each agent and of the master's machine. */
interface OverviewState {
  now: WatchOverviewResponse;
  points: Map<string, Point[]>;
  hostPoints: Point[];
}

function fold(state: OverviewState | undefined, m: WatchOverviewResponse): OverviewState {
  const points = new Map<string, Point[]>();
  for (const { agent, samples } of m.agents) {
    if (agent) points.set(agent.name, foldPoints(state?.points.get(agent.name) ?? [], samples, agent, MAX_POINTS));
  }
  const hostPoints = m.masterHost ? foldPoints(state?.hostPoints ?? [], m.masterHost.samples, undefined, MAX_POINTS) : [];
  return { now: m, points, hostPoints };
}

/** This browser's local midnight: today's runs start there. */
function midnight(): bigint {
  return BigInt(new Date().setHours(0, 0, 0, 0));
}

/**
 * The home screen: counts of agents, of today's runs and of the event queue, charts of the load, memory, disk and
 * network of the master's own machine (as the master samples it) and of each agent (from its heartbeats), and the
 * latest runs and failures (links to their pages), all pushed by the server as they change.
 */
export function Overview({ onUnauthenticated }: { onUnauthenticated: () => void }) {
  const { value, error } = useStream(
    (signal) => dashboard.watchOverview({ sinceMs: midnight() }, { signal }),
    fold,
    [],
    onUnauthenticated,
  );
  const m = value?.now;
  return (
    <section class="overview">
      <h2>Overview</h2>
      {error && <p class="error">{error}</p>}
      {m && (
        <>
          <div class="counts">
            <Count title="Agents" name="agents">
              <Figure n={m.agentsActive} label="Active" />
              <Figure n={m.agentsInactive} label="Inactive" />
              {!m.master && (
                <p class="empty" data-no-master>
                  No master here: these are the agents a master recorded in this data directory.{' '}
                  <code>sloth-runner ui --master ADDRESS</code> shows them live and can run commands on them.
                </p>
              )}
              {m.masterProblem && (
                <p class="error" data-master-problem>
                  {m.masterProblem}
                </p>
              )}
            </Count>
            <Count title="Runs today" name="runs">
              {[...RUN_STATUSES, ...Object.keys(m.runsToday).filter((s) => !RUN_STATUSES.includes(s))].map((s) => (
                <Figure key={s} n={m.runsToday[s] ?? 0} label={s} />
              ))}
            </Count>
            <Count title="Events" name="events">
              <Figure n={m.eventsPending} label="pending" />
              <Figure n={m.eventsProcessing} label="processing" />
              <Figure n={m.eventsFailed} label="failed" />
            </Count>
          </div>
          <MachineCharts
            agents={m.agents}
            points={value.points}
            host={m.masterHost}
            hostPoints={value.hostPoints}
            more={m.moreAgents}
            master={m.master}
          />
          <h3>Recent failures</h3>
          {m.recentFailures.length === 0 ? (
            <p class="empty" data-no-failures>
              No failed run among the latest 100.
            </p>
          ) : (
            <div data-section="failures">
              <RunTable runs={m.recentFailures} />
            </div>
          )}
          <h3>Recent runs</h3>
          {m.recentRuns.length === 0 ? (
            <p class="empty">No workflow run is recorded in this data directory yet.</p>
          ) : (
            <div data-section="recent-runs">
              <RunTable runs={m.recentRuns} />
            </div>
          )}
        </>
      )}
    </section>
  );
}

function Count({ title, name, children }: { title: string; name: string; children: ComponentChildren }) {
  return (
    <div class="count" data-count={name}>
      <h3>{title}</h3>
      {children}
    </div>
  );
}

function Figure({ n, label }: { n: number; label: string }) {
  return (
    <span class="number" data-number={label}>
      <strong>{n}</strong> {label}
    </span>
  );
}

/**
 * The charts of the master's machine (its own row, when a master sampled it) and of each agent, small, a row per
 * machine (an agent's name a link to its page).
 */
function MachineCharts({
  agents,
  points,
  host,
  hostPoints,
  more,
  master,
}: {
  agents: OverviewAgent[];
  points: Map<string, Point[]>;
  host: OverviewHost | undefined;
  hostPoints: Point[];
  more: number;
  master: boolean;
}) {
  const noAgent = (
    <p class="empty">
      {master ? 'No agent has registered with this master yet.' : 'No agent is recorded in this data directory.'}
    </p>
  );
  if (agents.length === 0 && !host) return noAgent;
  return (
    <>
      <h3>{host ? "The master's and agents' load, memory, disk and network" : "Agents' load, memory, disk and network"}</h3>
      <table class="agent-charts">
        <tbody>
          {host && (
            <tr data-master-charts>
              <td>
                <strong>master</strong> <span class="meta">this master's machine</span>
              </td>
              <ChartCells points={hostPoints} cpus={host.samples.at(-1)?.cpus ?? 0} name="master" />
            </tr>
          )}
          {agents.map(({ agent }) =>
            agent ? (
              <tr key={agent.name} data-agent-charts={agent.name}>
                <td>
                  <a href={`#/agents/${encodeURIComponent(agent.name)}`}>{agent.name}</a> <AgentStatus agent={agent} />
                </td>
                <ChartCells points={points.get(agent.name) ?? []} cpus={agent.system?.cpus ?? 0} name={agent.name} />
              </tr>
            ) : null,
          )}
        </tbody>
      </table>
      {agents.length === 0 && noAgent}
      {more > 0 && <p class="meta">…and {more} more (the Agents screen lists every one).</p>}
    </>
  );
}

/** A machine's charts as cells of its row. */
function ChartCells({ points, cpus, name }: { points: Point[]; cpus: number; name: string }) {
  return (
    <>
      {metricCharts(points, cpus).map((c) => (
        <td key={c.key} data-metric={c.key} data-points={c.values.length}>
          <div>
            {c.title}: <span data-now>{c.now}</span>
          </div>
          <Sparkline values={c.values} second={c.second} max={c.max} label={`${name}: ${c.title}`} width={180} height={40} />
          {c.legend && (
            <div>
              <Legend names={c.legend} />
            </div>
          )}
        </td>
      ))}
    </>
  );
}
