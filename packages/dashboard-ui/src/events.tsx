import type { WatchEventsResponse } from '@sloth/proto';
import { useState } from 'preact/hooks';
import { dashboard } from './client.js';
import { formatTime } from './format.js';
import { latest, useStream } from './use-stream.js';

const STATUSES = ['', 'pending', 'processing', 'completed', 'failed'] as const;

/** The Events screen: the latest events of the queue, filtered by type (a pattern with *) and status. */
export function Events({ onUnauthenticated }: { onUnauthenticated: () => void }) {
  const [type, setType] = useState('');
  const [status, setStatus] = useState('');
  const { value, error } = useStream(
    (signal) => dashboard.watchEvents({ type, status }, { signal }),
    latest<WatchEventsResponse>,
    [type, status],
    onUnauthenticated,
  );
  const events = value?.events ?? [];
  return (
    <section>
      <h2>Events</h2>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Type{' '}
          <input
            name="type"
            placeholder="e.g. task.*"
            value={type}
            onChange={(e) => setType((e.target as HTMLInputElement).value.trim())}
          />
        </label>
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
      </form>
      {error && <p class="error">{error}</p>}
      {value && events.length === 0 && <p class="empty">No event matches.</p>}
      {events.length > 0 && (
        <table class="events">
          <thead>
            <tr>
              <th>Time</th>
              <th>Type</th>
              <th>Source</th>
              <th>Stack</th>
              <th>Status</th>
              <th>Attempts</th>
              <th>Error</th>
            </tr>
          </thead>
          <tbody>
            {events.map((e) => (
              <tr key={e.id} data-event={e.type}>
                <td>{formatTime(e.createdAtMs)}</td>
                <td>{e.type}</td>
                <td>{e.source}</td>
                <td>{e.stack}</td>
                <td>
                  <span class={`status ${e.status}`}>{e.status}</span>
                </td>
                <td>{e.attempts}</td>
                <td class="error">{e.error}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
