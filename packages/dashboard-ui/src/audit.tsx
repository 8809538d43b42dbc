import type { WatchAuditResponse } from '@sloth/proto';
import { dashboard } from './client.js';
import { formatTime } from './format.js';
import { latest, useStream } from './use-stream.js';

/** The Audit screen: the write actions done through the dashboard, newest first: when, who, what, on what, result. */
export function Audit({ onUnauthenticated }: { onUnauthenticated: () => void }) {
  const { value, error } = useStream(
    (signal) => dashboard.watchAudit({}, { signal }),
    latest<WatchAuditResponse>,
    [],
    onUnauthenticated,
  );
  const entries = value?.entries ?? [];
  return (
    <section>
      <h2>Audit</h2>
      {error && <p class="error">{error}</p>}
      {value && entries.length === 0 && <p class="empty">Nothing has been changed through the dashboard yet.</p>}
      {entries.length > 0 && (
        <table class="audit">
          <thead>
            <tr>
              <th>Time</th>
              <th>Who</th>
              <th>Action</th>
              <th>Target</th>
              <th>Result</th>
              <th>Detail</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={String(e.id)} data-audit={e.action}>
                <td>{formatTime(e.atMs)}</td>
                <td>{e.actor}</td>
                <td>{e.action}</td>
                <td>{e.target}</td>
                <td>
                  <span class={`status ${e.result === 'ok' ? 'success' : 'failed'}`} data-result>
                    {e.result}
                  </span>
                </td>
                <td class={e.result === 'ok' ? '' : 'error'}>{e.detail}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
