import type { WatchEventResponse } from '@sloth/proto';
import { dashboard } from './client.js';
import { formatTime } from './format.js';
import { ExecutionTable } from './hooks.js';
import { latest, useStream } from './use-stream.js';

/**
 * One event (#/events/ID): its fields (not its data: it may hold values a workflow or an agent put there) and each run
 * of a hook for it, with its output or error, updated as hooks run.
 */
export function EventPage({ id, onUnauthenticated }: { id: string; onUnauthenticated: () => void }) {
  const { value, error } = useStream(
    (signal) => dashboard.watchEvent({ id }, { signal }),
    latest<WatchEventResponse>,
    [id],
    onUnauthenticated,
  );
  const e = value?.event;
  const agent = /^agent:(.+)$/.exec(e?.source ?? '')?.[1];
  return (
    <section class="agent-page">
      <p>
        <a href="#/events">← Events</a>
      </p>
      {error && <p class="error">{error}</p>}
      {e && (
        <>
          <h2>
            {e.type}{' '}
            <span class={`status ${e.status}`} data-status>
              {e.status}
            </span>
          </h2>
          <dl data-section="event">
            <dt>Id</dt>
            <dd>{e.id}</dd>
            <dt>Source</dt>
            <dd data-source>{agent ? <a href={`#/agents/${encodeURIComponent(agent)}/events`}>{e.source}</a> : e.source}</dd>
            <dt>Stack</dt>
            <dd>{e.stack}</dd>
            <dt>Run</dt>
            <dd>{e.runId && <a href={`#/runs/${encodeURIComponent(e.runId)}`}>{e.runId}</a>}</dd>
            <dt>Created</dt>
            <dd>{formatTime(e.createdAtMs)}</dd>
            <dt>Processed</dt>
            <dd>{formatTime(e.processedAtMs)}</dd>
            <dt>Attempts</dt>
            <dd>{e.attempts}</dd>
            {e.error && (
              <>
                <dt>Error</dt>
                <dd class="error">{e.error}</dd>
              </>
            )}
          </dl>
          <h3>Hook executions</h3>
          {value.executions.length === 0 ? (
            <p class="empty">No hook has run for this event{e.status === 'pending' ? ' yet' : ''}.</p>
          ) : (
            <ExecutionTable executions={value.executions} of="event" />
          )}
          <p class="meta">
            Its data is not sent to the browser: <code>sloth-runner events show {e.id}</code> prints it.
          </p>
        </>
      )}
    </section>
  );
}
