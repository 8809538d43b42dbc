import type { WatchAgentWorkResponse, WatchWorkOutputResponse, WorkView } from '@sloth/proto';
import { dashboard } from './client.js';
import { formatDuration, formatTime } from './format.js';
import { latest, useStream } from './use-stream.js';

/** Output a work's page holds at most: beyond it, the oldest is dropped (the master keeps less than this anyway). */
const MAX_PAGE_CHARS = 256 * 1024;

/**
 * An agent's Work tab: the work the master sent it (commands, delegated tasks), newest first, running and past; or,
 * with `workId`, that piece of work with its output, growing while it runs.
 */
export function AgentWork({
  agent,
  workId,
  onUnauthenticated,
}: {
  agent: string;
  workId: string | undefined;
  onUnauthenticated: () => void;
}) {
  if (workId !== undefined) return <WorkOutput agent={agent} id={workId} onUnauthenticated={onUnauthenticated} />;
  return <WorkList agent={agent} onUnauthenticated={onUnauthenticated} />;
}

function WorkList({ agent, onUnauthenticated }: { agent: string; onUnauthenticated: () => void }) {
  const { value, error } = useStream(
    (signal) => dashboard.watchAgentWork({ name: agent }, { signal }),
    latest<WatchAgentWorkResponse>,
    [agent],
    onUnauthenticated,
  );
  const work = value?.work ?? [];
  return (
    <>
      <h3>Work</h3>
      {error && <p class="error">{error}</p>}
      {value && work.length === 0 && <p class="empty">The master has sent no work to this agent (or forgot it: after 7 days).</p>}
      {work.length > 0 && (
        <table class="work">
          <thead>
            <tr>
              <th>Started</th>
              <th>Kind</th>
              <th>What</th>
              <th>Status</th>
              <th>Exit code</th>
              <th>Duration</th>
              <th>Error</th>
            </tr>
          </thead>
          <tbody>
            {work.map((w) => (
              <tr key={w.id} data-work={w.id}>
                <td>{formatTime(w.createdAtMs)}</td>
                <td>{w.kind}</td>
                <td class="what">
                  <a href={`#/agents/${encodeURIComponent(agent)}/work/${encodeURIComponent(w.id)}`}>{w.what}</a>
                </td>
                <td>
                  <Status work={w} />
                </td>
                <td data-exit>{w.exitCode ?? ''}</td>
                <td>{duration(w)}</td>
                <td class="error">{w.error}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

/** A work's page: the work, and its output as the master kept it, then what follows while it runs. */
interface OutputState {
  work: WorkView | undefined;
  text: string;
  /** Characters printed before `text` that the page does not have (not kept by the master, or dropped here). */
  skipped: number;
}

function fold(state: OutputState | undefined, m: WatchWorkOutputResponse): OutputState {
  let text = state?.text ?? '';
  let skipped = state?.skipped ?? 0;
  const gap = Number(m.skipped);
  // A gap in the middle (more output came at once than the master keeps) is said where it is.
  if (gap > 0 && text === '') skipped += gap;
  else if (gap > 0) text += `\n… ${gap} characters not kept …\n`;
  text += m.output;
  if (text.length > MAX_PAGE_CHARS) {
    skipped += text.length - MAX_PAGE_CHARS;
    text = text.slice(text.length - MAX_PAGE_CHARS);
  }
  return { work: m.work, text, skipped };
}

function WorkOutput({ agent, id, onUnauthenticated }: { agent: string; id: string; onUnauthenticated: () => void }) {
  const { value, error } = useStream((signal) => dashboard.watchWorkOutput({ id }, { signal }), fold, [id], onUnauthenticated);
  const w = value?.work;
  return (
    <div class="task" data-work-page={id}>
      <p>
        <a href={`#/agents/${encodeURIComponent(agent)}/work`}>← All work</a>
      </p>
      {error && <p class="error">{error}</p>}
      {w && (
        <>
          <h3>
            <code>{w.what}</code> <Status work={w} />
          </h3>
          <p class="meta">
            {w.kind} · started {formatTime(w.createdAtMs)} · {duration(w)}
            {w.exitCode !== undefined && (
              <>
                {' · exit code '}
                <span data-exit>{w.exitCode}</span>
              </>
            )}
            {' · work '}
            {w.id}
          </p>
          {w.error && <p class="error">{w.error}</p>}
          {value.skipped > 0 && (
            <p class="meta" data-skipped>
              The first {value.skipped} characters of its output are not kept: the master keeps the end of each work's output.
            </p>
          )}
          {value.text === '' ? (
            <p class="empty">{w.status === 'running' ? 'No output yet.' : 'It printed nothing.'}</p>
          ) : (
            <pre class="log" data-output>
              {value.text}
            </pre>
          )}
        </>
      )}
    </div>
  );
}

function Status({ work }: { work: WorkView }) {
  return (
    <span class={`status ${work.status}`} data-status>
      {work.status}
    </span>
  );
}

function duration(w: WorkView): string {
  return w.status === 'running' ? 'running' : formatDuration(Number(w.durationMs));
}
