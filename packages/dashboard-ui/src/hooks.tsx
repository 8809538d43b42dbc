import { ConnectError } from '@connectrpc/connect';
import type { HookExecutionView, WatchHookHistoryResponse, WatchHooksResponse } from '@sloth/proto';
import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { dashboard } from './client.js';
import { formatDuration, formatTime } from './format.js';
import { latest, useStream } from './use-stream.js';

/** The Hooks screen: every hook with its latest execution, a button to enable or disable it, and its history opened. */
export function Hooks({ onUnauthenticated }: { onUnauthenticated: () => void }) {
  const { value, error } = useStream(
    (signal) => dashboard.watchHooks({}, { signal }),
    latest<WatchHooksResponse>,
    [],
    onUnauthenticated,
  );
  const [open, setOpen] = useState<string | undefined>();
  const [busy, setBusy] = useState<string | undefined>();
  const [failure, setFailure] = useState<string | undefined>();
  const hooks = value?.hooks ?? [];
  // The list updates itself from the stream once the change is written: the answer needs no handling of its own.
  const toggle = async (name: string, enabled: boolean) => {
    setBusy(name);
    setFailure(undefined);
    try {
      await dashboard.setHookEnabled({ name, enabled });
    } catch (err) {
      setFailure(`could not ${enabled ? 'enable' : 'disable'} ${name}: ${ConnectError.from(err).rawMessage}`);
    } finally {
      setBusy(undefined);
    }
  };
  return (
    <section>
      <h2>Hooks</h2>
      {error && <p class="error">{error}</p>}
      {failure && (
        <p class="error" role="alert">
          {failure}
        </p>
      )}
      {value && hooks.length === 0 && (
        <p class="empty">No hook is registered in this data directory (`sloth-runner hook add FILE`).</p>
      )}
      {hooks.length > 0 && (
        <table class="hooks">
          <thead>
            <tr>
              <th>Hook</th>
              <th>Event</th>
              <th>Stack</th>
              <th>Enabled</th>
              <th>Last run</th>
              <th>Runs</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {hooks.map((h) => (
              <Fragment key={h.name}>
                <tr data-hook={h.name}>
                  <td>
                    <button type="button" class="link" onClick={() => setOpen(open === h.name ? undefined : h.name)}>
                      {h.name}
                    </button>
                  </td>
                  <td>{h.eventType}</td>
                  <td>{h.stack}</td>
                  <td>
                    <span class={`status ${h.enabled ? 'active' : 'inactive'}`} data-enabled>
                      {h.enabled ? 'enabled' : 'disabled'}
                    </span>
                  </td>
                  <td>
                    {h.lastExecution ? (
                      <>
                        <Result e={h.lastExecution} /> {formatTime(h.lastExecution.startedAtMs)}
                      </>
                    ) : (
                      'never'
                    )}
                  </td>
                  <td>{h.executions}</td>
                  <td>
                    <button type="button" disabled={busy === h.name} onClick={() => void toggle(h.name, !h.enabled)}>
                      {h.enabled ? 'Disable' : 'Enable'}
                    </button>
                  </td>
                </tr>
                {open === h.name && (
                  <tr class="resources">
                    <td colSpan={7}>
                      <HookHistory name={h.name} onUnauthenticated={onUnauthenticated} />
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

function Result({ e }: { e: HookExecutionView }) {
  return (
    <span class={`status ${e.success ? 'success' : 'failed'}`} data-status>
      {e.success ? 'ok' : 'failed'}
    </span>
  );
}

/** A hook's latest executions, newest first: event, attempt, result, duration, output or error. */
function HookHistory({ name, onUnauthenticated }: { name: string; onUnauthenticated: () => void }) {
  const { value, error } = useStream(
    (signal) => dashboard.watchHookHistory({ name }, { signal }),
    latest<WatchHookHistoryResponse>,
    [name],
    onUnauthenticated,
  );
  const executions = value?.executions ?? [];
  if (error) return <p class="error">{error}</p>;
  if (value && executions.length === 0) return <p class="empty">This hook has not run yet.</p>;
  return (
    <div data-history={name}>
      <ExecutionTable executions={executions} of="hook" />
    </div>
  );
}

/**
 * Hook executions as a table, with their output or error: a hook's (each row names its event, a link to its page) or
 * an event's (each row names its hook).
 */
export function ExecutionTable({ executions, of }: { executions: HookExecutionView[]; of: 'hook' | 'event' }) {
  return (
    <table>
      <thead>
        <tr>
          <th>Started</th>
          {of === 'hook' ? (
            <>
              <th>Event</th>
              <th>Type</th>
            </>
          ) : (
            <th>Hook</th>
          )}
          <th>Attempt</th>
          <th>Result</th>
          <th>Took</th>
          <th>Output / error</th>
        </tr>
      </thead>
      <tbody>
        {executions.map((e) => (
          <tr key={String(e.id)} data-execution={e.eventId} data-execution-hook={e.hook}>
            <td>{formatTime(e.startedAtMs)}</td>
            {of === 'hook' ? (
              <>
                <td>
                  <a href={`#/events/${encodeURIComponent(e.eventId)}`}>{e.eventId}</a>
                </td>
                <td>{e.eventType || '(cleaned up)'}</td>
              </>
            ) : (
              <td>{e.hook}</td>
            )}
            <td>{e.attempt}</td>
            <td>
              <Result e={e} />
            </td>
            <td>{formatDuration(Number(e.durationMs))}</td>
            <td class={e.success ? '' : 'error'} data-output>
              {e.success ? e.output : e.error}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
