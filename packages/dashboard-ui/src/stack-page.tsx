import type { CheckStackDriftResponse, StackExecutionView, StackOutputView, StackView, WatchStackResponse } from '@sloth/proto';
import { useState } from 'preact/hooks';
import { dashboard } from './client.js';
import { formatDuration, formatTime } from './format.js';
import { Status } from './runs.js';
import { OutcomeNote, useAction } from './use-action.js';
import { latest, useStream } from './use-stream.js';

/**
 * A stack's page (#/stacks/NAME): its resources (names only), a drift check run on the server's machine, its outputs
 * and its runs newest first (`stack history`), updated as runs change it.
 */
export function StackPage({ name, onUnauthenticated }: { name: string; onUnauthenticated: () => void }) {
  const { value, error } = useStream(
    (signal) => dashboard.watchStack({ name }, { signal }),
    latest<WatchStackResponse>,
    [name],
    onUnauthenticated,
  );
  const s = value?.stack;
  return (
    <section class="stack-page">
      <p>
        <a href="#/stacks">← Stacks</a>
      </p>
      <h2>{name}</h2>
      {s?.description && <p class="meta">{s.description}</p>}
      {error && <p class="error">{error}</p>}
      {value && !s && <p class="empty">This stack no longer exists: it was deleted.</p>}
      {s && value && (
        <>
          <Resources stack={s} />
          <Drift name={name} onUnauthenticated={onUnauthenticated} />
          <Outputs outputs={value.outputs} />
          <History history={value.history} />
        </>
      )}
    </section>
  );
}

function Resources({ stack }: { stack: StackView }) {
  return (
    <>
      <h3>Resources</h3>
      {stack.resources.length === 0 ? (
        <p class="empty">No resource is registered in this stack.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>Type</th>
              <th>Name</th>
              <th>Module</th>
              <th>Updated</th>
            </tr>
          </thead>
          <tbody>
            {stack.resources.map((r) => (
              <tr key={`${r.type}/${r.name}`} data-resource={`${r.type}/${r.name}`}>
                <td>{r.type}</td>
                <td>{r.name}</td>
                <td>{r.module}</td>
                <td>{formatTime(r.updatedAtMs)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {stack.resourceCount > stack.resources.length && (
        <p class="meta">
          The first {stack.resources.length} of {stack.resourceCount}: <code>stack resources {stack.name}</code> lists them all.
        </p>
      )}
      <p class="meta">
        Properties and attributes are not shown (they may hold secrets; <code>stack show</code> has them).
      </p>
    </>
  );
}

/** The drift check: on demand (it reads every resource back), its result kept until the next check. */
function Drift({ name, onUnauthenticated }: { name: string; onUnauthenticated: () => void }) {
  const [result, setResult] = useState<CheckStackDriftResponse | undefined>();
  const [checking, setChecking] = useState(false);
  const { outcome, act } = useAction(onUnauthenticated);
  const check = async () => {
    setChecking(true);
    await act(async () => {
      const r = await dashboard.checkStackDrift({ name });
      setResult(r);
      return r.drifted > 0 ? `${r.drifted} resource(s) drifted or missing` : 'no drift found';
    });
    setChecking(false);
  };
  return (
    <>
      <h3>Drift</h3>
      <p class="filters">
        <button type="button" disabled={checking} onClick={() => void check()}>
          {checking ? 'Checking…' : 'Check drift'}
        </button>
        <span class="meta">
          Reads each resource back on the dashboard's machine and compares it with what the stack recorded, as{' '}
          <code>stack drift {name}</code> does there.
        </span>
      </p>
      <OutcomeNote outcome={outcome} />
      {result && (
        <>
          <p class="meta">Checked {formatTime(result.checkedAtMs)}.</p>
          {result.resources.length === 0 ? (
            <p class="empty">No resource to check.</p>
          ) : (
            <table class="drift">
              <thead>
                <tr>
                  <th>Type</th>
                  <th>Name</th>
                  <th>Module</th>
                  <th>Status</th>
                  <th>Details</th>
                </tr>
              </thead>
              <tbody>
                {result.resources.map((d) => (
                  <tr key={`${d.type}/${d.name}`} data-drift={`${d.type}/${d.name}`}>
                    <td>{d.type}</td>
                    <td>{d.name}</td>
                    <td>{d.module}</td>
                    <td>
                      <Status status={d.status} />
                    </td>
                    <td data-details>{d.status === 'drifted' ? `differs: ${d.properties.join(', ')}` : d.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {result.drifted > 0 && (
            <p class="meta">
              The values that differ are not sent here (they may hold secrets): <code>stack drift {name}</code> on that machine
              prints them.
            </p>
          )}
        </>
      )}
    </>
  );
}

function Outputs({ outputs }: { outputs: StackOutputView[] }) {
  return (
    <>
      <h3>Outputs</h3>
      {outputs.length === 0 ? (
        <p class="empty">No output is set (a workflow sets them with stack.set_output).</p>
      ) : (
        <table class="outputs">
          <thead>
            <tr>
              <th>Output</th>
              <th>Value</th>
            </tr>
          </thead>
          <tbody>
            {outputs.map((o) => (
              <tr key={o.name} data-output={o.name}>
                <td>{o.name}</td>
                <td>
                  <code>{o.value}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function History({ history }: { history: StackExecutionView[] }) {
  return (
    <>
      <h3>History</h3>
      {history.length === 0 ? (
        <p class="empty">No run has used this stack yet.</p>
      ) : (
        <table class="history">
          <thead>
            <tr>
              <th>Started</th>
              <th>Workflow</th>
              <th>Status</th>
              <th>Took</th>
              <th>Tasks</th>
              <th>Resources</th>
              <th>By</th>
            </tr>
          </thead>
          <tbody>
            {history.map((e) => (
              <tr key={e.id} data-execution={e.id}>
                <td>{formatTime(e.startedAtMs)}</td>
                <td>{e.workflow}</td>
                <td>
                  <Status status={e.status} />
                  {e.error && <div class="error">{e.error}</div>}
                </td>
                <td>{e.finishedAtMs === 0n ? '' : formatDuration(Number(e.finishedAtMs - e.startedAtMs))}</td>
                <td data-tasks>{taskText(e)}</td>
                <td data-changes>{changeText(e)}</td>
                <td>
                  pid {e.pid} on {e.host}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

/** "2 success, 1 skipped": the run's tasks by status, as `stack history` writes them. */
function taskText(e: StackExecutionView): string {
  return Object.entries(e.taskCounts)
    .filter(([k]) => k !== 'total')
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
}

/** "1 created, 2 unchanged" (the non-zero counts), or "no resources", as `stack history` writes them. */
function changeText(e: StackExecutionView): string {
  const parts = ['created', 'changed', 'unchanged', 'deleted']
    .filter((k) => (e.resourceChanges[k] ?? 0) > 0)
    .map((k) => `${e.resourceChanges[k]} ${k}`);
  return parts.length > 0 ? parts.join(', ') : 'no resources';
}
