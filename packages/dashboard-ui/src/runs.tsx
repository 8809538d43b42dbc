import type { RunLogLine, RunSummary, RunTaskState, WatchRunResponse, WatchRunsResponse } from '@sloth/proto';
import { dashboard } from './client.js';
import { formatDuration, formatTime } from './format.js';
import { TaskGraph } from './task-graph.js';
import { latest, useStream } from './use-stream.js';

/** The Runs screen: the latest workflow runs of the data directory, updated as they are recorded. */
export function Runs({ onUnauthenticated }: { onUnauthenticated: () => void }) {
  const { value, error } = useStream(
    (signal) => dashboard.watchRuns({}, { signal }),
    latest<WatchRunsResponse>,
    [],
    onUnauthenticated,
  );
  const runs = value?.runs ?? [];
  return (
    <section>
      <h2>Runs</h2>
      {error && <p class="error">{error}</p>}
      {value && runs.length === 0 && <p class="empty">No workflow run is recorded in this data directory yet.</p>}
      {runs.length > 0 && <RunTable runs={runs} />}
    </section>
  );
}

/** Runs as a table: each workflow a link to its run's page, with its stack, status, start, duration and tasks. */
export function RunTable({ runs }: { runs: RunSummary[] }) {
  return (
    <table class="runs">
      <thead>
        <tr>
          <th>Workflow</th>
          <th>Stack</th>
          <th>Status</th>
          <th>Started</th>
          <th>Duration</th>
          <th>Tasks</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((r) => (
          <tr key={r.id} data-run={r.id}>
            <td>
              <a href={`#/runs/${encodeURIComponent(r.id)}`}>{r.workflow}</a>
            </td>
            <td>{r.stack}</td>
            <td>
              <Status status={r.status} />
            </td>
            <td>{formatTime(r.startedAtMs)}</td>
            <td>{runDuration(r)}</td>
            <td>{r.taskCount}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** What a run's page shows: the run, its tasks, and every log line so far. */
interface RunView {
  run: RunSummary | undefined;
  tasks: RunTaskState[];
  lines: RunLogLine[];
}

/**
 * One run: the graph of its tasks, then its tasks with status, changed and attempts, and each task's log, growing
 * while the run goes on; a link to its events (the Events screen filtered by the run).
 */
export function RunPage({ id, onUnauthenticated }: { id: string; onUnauthenticated: () => void }) {
  const { value, error } = useStream(
    (signal) => dashboard.watchRun({ id }, { signal }),
    (state: RunView | undefined, m: WatchRunResponse): RunView => ({
      run: m.run,
      tasks: m.tasks,
      lines: [...(state?.lines ?? []), ...m.lines],
    }),
    [id],
    onUnauthenticated,
  );
  const run = value?.run;
  return (
    <section>
      <p>
        <a href="#/runs">← Runs</a>
      </p>
      {error && <p class="error">{error}</p>}
      {run && (
        <>
          <h2>
            {run.workflow} <Status status={run.status} />
          </h2>
          <p class="meta">
            stack {run.stack} · started {formatTime(run.startedAtMs)} · {runDuration(run)} · run {run.id} ·{' '}
            <a href={`#/events?run=${encodeURIComponent(run.id)}`} data-run-events>
              its events
            </a>
          </p>
          {run.error && <p class="error">{run.error}</p>}
          {value.tasks.length > 0 && <TaskGraph tasks={value.tasks} />}
          {value.tasks.map((t) => (
            <TaskPanel key={t.name} task={t} lines={value.lines.filter((l) => l.task === t.name)} />
          ))}
        </>
      )}
    </section>
  );
}

function TaskPanel({ task, lines }: { task: RunTaskState; lines: RunLogLine[] }) {
  return (
    <div class="task" data-task={task.name}>
      <h3>
        {task.name} <Status status={task.status} />
        {task.changed && <span class="changed">changed</span>}
        <span class="meta">
          {task.attempts > 0 && ` · attempt${task.attempts > 1 ? 's' : ''} ${task.attempts}`}
          {task.durationMs > 0n && ` · ${formatDuration(Number(task.durationMs))}`}
          {task.agent && ` · on ${task.agent}`}
        </span>
      </h3>
      {task.error && <p class="error">{task.error}</p>}
      {lines.length > 0 && (
        <pre class="log">
          {lines.map((l) => (
            <div key={String(l.seq)} class={`line ${l.stream || l.level}`}>
              {l.agent && <span class="agent">[{l.agent}] </span>}
              {l.message}
            </div>
          ))}
        </pre>
      )}
    </div>
  );
}

/** A status as a coloured badge (a run's, a task's, a drift check's). */
export function Status({ status }: { status: string }) {
  return (
    <span class={`status ${status}`} data-status>
      {status}
    </span>
  );
}

function runDuration(r: RunSummary): string {
  return r.status === 'running' ? 'running' : formatDuration(Number(r.durationMs));
}
