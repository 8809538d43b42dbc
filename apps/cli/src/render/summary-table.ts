import { formatDuration, type TaskResult } from '@sloth/core';
import { pc } from './colors.js';
import type { ReportedRun } from './json-report.js';
import { formatRecap, runRecap } from './recap.js';
import { table } from './table.js';

const STATUS_LOOK: Record<TaskResult['status'], (s: string) => string> = {
  success: pc.green,
  failed: pc.red,
  timeout: pc.red,
  aborted: pc.yellow,
  skipped: pc.dim,
};

/** The end-of-run table and verdict line, then what the run recorded in its stack. */
export function formatSummary(result: ReportedRun): string {
  const rows = result.tasks.map((t) => {
    const details = t.error ?? (t.message ? firstLine(t.message) : '');
    const changed = t.changed === undefined ? '' : t.changed ? pc.yellow('yes') : 'no';
    return [
      t.name,
      STATUS_LOOK[t.status](t.status),
      changed,
      formatDuration(t.durationMs),
      String(t.attempts),
      truncate(details, 80),
    ];
  });
  const summary = table(['Task', 'Status', 'Changed', 'Duration', 'Attempts', 'Details'], rows);
  const counts = new Map<string, number>();
  for (const t of result.tasks) counts.set(t.status, (counts.get(t.status) ?? 0) + 1);
  const tally = [...counts].map(([s, n]) => `${n} ${s}`).join(', ');
  const verdict =
    result.status === 'success'
      ? pc.green(`✓ workflow '${result.workflow}' succeeded in ${formatDuration(result.durationMs)}`)
      : pc.red(
          `✗ workflow '${result.workflow}' ${result.status === 'aborted' ? 'was interrupted' : result.status} after ${formatDuration(result.durationMs)}`,
        );
  const why = result.error && result.status !== 'success' ? `\n  ${result.error}` : '';
  const recap = `\n${pc.bold(result.checkMode ? 'Recap (check mode: nothing was changed)' : 'Recap')}\n${formatRecap(
    runRecap(result),
  )
    .map((line) => `  ${line}`)
    .join('\n')}`;
  return `${summary}\n${verdict} (${tally})${why}${formatChecks(result)}${result.stack ? `\n${formatStack(result.stack, result.checkMode === true)}` : ''}${recap}`;
}

/** The checks tasks made (infra_test): a count per task, and each failed one. Empty when no task made any. */
function formatChecks(result: ReportedRun): string {
  const lines: string[] = [];
  for (const t of result.tasks) {
    const a = t.assertions;
    if (!a) continue;
    lines.push(`  ${t.name}: ${pc.green(`${a.passed} passed`)}${a.failed > 0 ? `, ${pc.red(`${a.failed} failed`)}` : ''}`);
    for (const f of a.list.filter((x) => !x.passed)) lines.push(pc.red(`    ✗ ${f.message}`));
  }
  return lines.length === 0 ? '' : `\n${pc.bold('Checks')}\n${lines.join('\n')}`;
}

/** Stack lines: resource counts, outputs, orphans, and executions this run found interrupted. */
function formatStack(s: NonNullable<ReportedRun['stack']>, checkMode: boolean): string {
  const c = s.execution.changes;
  const touched = c.created + c.changed + c.unchanged + c.deleted > 0;
  const lines = [
    touched
      ? `stack '${s.stack.name}': ${c.created} created, ${c.changed} changed, ${c.unchanged} unchanged, ${c.deleted} deleted`
      : `recorded in stack '${s.stack.name}' (no resources registered)`,
  ];
  const outputs = Object.entries(s.outputs);
  if (outputs.length > 0) {
    lines.push(`  outputs: ${outputs.map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ')}`);
  }
  // A check-mode run records no resources, so every managed one would look orphaned.
  if (s.orphans.length > 0 && !checkMode) {
    lines.push(
      pc.yellow(
        `  orphans (in the stack, not registered by this run): ${s.orphans.map((o) => `${o.type}/${o.name}`).join(', ')}`,
      ),
    );
  }
  for (const e of s.interrupted) {
    lines.push(
      pc.yellow(
        `  note: an earlier run (pid ${e.pid} on ${e.host}, started ${new Date(e.startedAt).toISOString()}) stopped without finishing; recorded as interrupted`,
      ),
    );
  }
  return lines.join('\n');
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? '';
}

function truncate(text: string, max: number): string {
  const line = firstLine(text);
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
