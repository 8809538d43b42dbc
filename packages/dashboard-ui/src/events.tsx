import type { EventView, WatchEventsResponse } from '@sloth/proto';
import { useEffect, useState } from 'preact/hooks';
import { dashboard } from './client.js';
import { formatTime } from './format.js';
import { latest, useStream } from './use-stream.js';

const STATUSES = ['', 'pending', 'processing', 'completed', 'failed'] as const;

/**
 * The Events screen: the latest events of the queue, filtered by type (a pattern with *), status, source and run (a
 * run's page links here with its id: #/events?run=ID).
 */
export function Events({ run: initialRun = '', onUnauthenticated }: { run?: string; onUnauthenticated: () => void }) {
  const [type, setType] = useState('');
  const [status, setStatus] = useState('');
  const [source, setSource] = useState('');
  const [run, setRun] = useState(initialRun);
  const { value, error } = useStream(
    (signal) => dashboard.watchEvents({ type, status, source, runId: run }, { signal }),
    latest<WatchEventsResponse>,
    [type, status, source, run],
    onUnauthenticated,
  );
  const events = value?.events ?? [];
  return (
    <section>
      <h2>Events</h2>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <Filter label="Type" name="type" placeholder="e.g. task.*" value={type} onChange={setType} />
        <label>
          Status{' '}
          <select name="status" value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value)}>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s || 'any'}
              </option>
            ))}
          </select>
        </label>
        <Filter label="Source" name="source" placeholder="e.g. agent:web-1" value={source} onChange={setSource} />
        <Filter label="Run" name="run" placeholder="a run's id" value={run} onChange={setRun} />
      </form>
      {error && <p class="error">{error}</p>}
      {value && events.length === 0 && <p class="empty">No event matches.</p>}
      {events.length > 0 && <EventTable events={events} />}
    </section>
  );
}

/**
 * A text filter: applied when the box is left or Enter is pressed (not at each key: each change restarts the list).
 * What is typed is kept as a draft of its own, so the list redrawn by a push meanwhile does not put the applied value
 * back in the box.
 */
function Filter(props: { label: string; name: string; placeholder: string; value: string; onChange: (v: string) => void }) {
  const [draft, setDraft] = useState(props.value);
  useEffect(() => setDraft(props.value), [props.value]);
  return (
    <label>
      {props.label}{' '}
      <input
        name={props.name}
        placeholder={props.placeholder}
        value={draft}
        onInput={(e) => setDraft((e.target as HTMLInputElement).value)}
        onChange={(e) => props.onChange((e.target as HTMLInputElement).value.trim())}
      />
    </label>
  );
}

/** Events as a table, newest first: each type a link to the event's page (its hook executions), each run to its page. */
export function EventTable({ events }: { events: EventView[] }) {
  return (
    <table class="events">
      <thead>
        <tr>
          <th>Time</th>
          <th>Type</th>
          <th>Source</th>
          <th>Stack</th>
          <th>Run</th>
          <th>Status</th>
          <th>Attempts</th>
          <th>Error</th>
        </tr>
      </thead>
      <tbody>
        {events.map((e) => (
          <tr key={e.id} data-event={e.type} data-event-id={e.id}>
            <td>{formatTime(e.createdAtMs)}</td>
            <td>
              <a href={`#/events/${encodeURIComponent(e.id)}`}>{e.type}</a>
            </td>
            <td>{e.source}</td>
            <td>{e.stack}</td>
            <td>{e.runId && <a href={`#/runs/${encodeURIComponent(e.runId)}`}>{e.runId.slice(0, 8)}</a>}</td>
            <td>
              <span class={`status ${e.status}`}>{e.status}</span>
            </td>
            <td>{e.attempts}</td>
            <td class="error">{e.error}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
