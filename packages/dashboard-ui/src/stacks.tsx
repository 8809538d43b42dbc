import type { WatchStacksResponse } from '@sloth/proto';
import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { dashboard } from './client.js';
import { formatTime } from './format.js';
import { DeleteStack, exportStack, StackForms } from './stack-actions.js';
import { OutcomeNote, useAction } from './use-action.js';
import { latest, useStream } from './use-stream.js';

/**
 * The Stacks screen: every stack with its latest run (its name a link to its page); forms to create one and import an
 * export, and on each stack, export (a download) and delete (once its name is typed).
 */
export function Stacks({ onUnauthenticated }: { onUnauthenticated: () => void }) {
  const { value, error } = useStream(
    (signal) => dashboard.watchStacks({}, { signal }),
    latest<WatchStacksResponse>,
    [],
    onUnauthenticated,
  );
  const [deleting, setDeleting] = useState<string | undefined>();
  const { outcome, act } = useAction(onUnauthenticated);
  const stacks = value?.stacks ?? [];
  return (
    <section>
      <h2>Stacks</h2>
      {error && <p class="error">{error}</p>}
      <StackForms act={act} />
      <OutcomeNote outcome={outcome} />
      {value && stacks.length === 0 && <p class="empty">No stack is recorded in this data directory yet.</p>}
      {stacks.length > 0 && (
        <table class="stacks">
          <thead>
            <tr>
              <th>Stack</th>
              <th>Resources</th>
              <th>Last workflow</th>
              <th>Last status</th>
              <th>Last run</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {stacks.map((s) => (
              <Fragment key={s.name}>
                <tr data-stack={s.name}>
                  <td>
                    <a href={`#/stacks/${encodeURIComponent(s.name)}`}>{s.name}</a>
                    {s.description && <span class="meta"> · {s.description}</span>}
                  </td>
                  <td>{s.resourceCount}</td>
                  <td>{s.lastWorkflow}</td>
                  <td>{s.lastStatus && <span class={`status ${s.lastStatus}`}>{s.lastStatus}</span>}</td>
                  <td>{formatTime(s.lastStartedAtMs)}</td>
                  <td>
                    <button type="button" onClick={() => void act(() => exportStack(s.name))}>
                      Export
                    </button>{' '}
                    <button type="button" onClick={() => setDeleting(s.name)}>
                      Delete
                    </button>
                  </td>
                </tr>
                {deleting === s.name && (
                  <tr class="resources">
                    <td colSpan={6}>
                      <DeleteStack name={s.name} act={act} onClose={() => setDeleting(undefined)} />
                    </td>
                  </tr>
                )}
              </Fragment>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
